// One lint setup for the whole repository: typescript-eslint's recommended rules, plus the
// boundaries this codebase keeps (no deep imports into another package's files) and, in the local
// core, functions short enough to read at once.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/lib/**', '**/cdk.out/**', '**/node_modules/**', '**/.local/**', '**/src/generated/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@core/*/src/*', '@core/*/lib/*', '../../*/src/*'], message: 'Import a package through its public exports.' }] },
      ],
    },
  },
  {
    // About 100 lines at most, blank lines and comments not counted (see CONTRIBUTING.md).
    files: ['packages/local/src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }] },
  },
);
