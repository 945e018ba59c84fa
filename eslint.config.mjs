// One lint setup for the whole repository: typescript-eslint's recommended rules, plus the
// boundaries this codebase keeps (no deep imports into another package's files).
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
);
