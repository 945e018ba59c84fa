import { javascript, JsonFile, ProjenrcFile } from 'projen';
import { PLAIN_NODE_PROJECT, V } from './versions';

export interface WorkspacePackageOptions {
  /** The root project. */
  readonly parent: javascript.NodeProject;
  /** Folder, relative to the root: `packages/runtime`. */
  readonly outdir: string;
  /** npm name: `@core/runtime`. */
  readonly name: string;
  /** Short Nx project name: `runtime`. */
  readonly nxName: string;
  readonly description: string;
  /** Workspace packages this one imports (`@core/runtime`). */
  readonly workspaceDeps?: string[];
  readonly deps?: string[];
  readonly devDeps?: string[];
  readonly peerDeps?: string[];
  /** package.json `exports`. @default `{ ".": lib/index }` */
  readonly exports?: Record<string, unknown>;
  /** Extra Nx targets beside build, lint and test: name to shell command, run in the package folder. */
  readonly targets?: Record<string, string>;
  /** Extra .gitignore lines. */
  readonly gitignore?: string[];
  /** Jest's testTimeout in milliseconds. @default 30000 */
  readonly testTimeout?: number;
  /**
   * ESM-only packages that jest must compile to CommonJS (jest cannot `require` ES modules on Node 20).
   * @default none
   */
  readonly esmOnlyDeps?: string[];
  /** What the test target needs first. @default the targetDefaults (`^build`) */
  readonly testDependsOn?: string[];
  /** Files outside the package that its tests read (Nx inputs), so the cache notices their changes. */
  readonly extraTestInputs?: string[];
}

/**
 * One package of the monorepo: a projen NodeProject whose package.json scripts are the Nx targets
 * (`build`, `lint`, `test`, plus any extra), compiled by tsc from `src/` to `lib/`, tested by jest
 * with @swc/jest. The root project does the installing (pnpm workspace), so this one installs nothing.
 */
export class WorkspacePackage extends javascript.NodeProject {
  constructor(options: WorkspacePackageOptions) {
    super({
      parent: options.parent,
      outdir: options.outdir,
      name: options.name,
      description: options.description,
      ...PLAIN_NODE_PROJECT,
      packageManager: javascript.NodePackageManager.PNPM,
      pnpmVersion: V.pnpm,
      deps: [...(options.workspaceDeps ?? []).map((d) => `${d}@workspace:*`), ...(options.deps ?? [])],
      devDeps: [
        `@types/node@${V.nodeTypes}`,
        `typescript@${V.typescript}`,
        `jest@${V.jest}`,
        `@jest/globals@${V.jest}`,
        `@swc/jest@${V.swcJest}`,
        `@swc/core@${V.swcCore}`,
        ...(options.devDeps ?? []),
      ],
      peerDeps: options.peerDeps,
    });

    // The workspace root runs the one `pnpm install`; projen would otherwise install each
    // subproject before it has written pnpm-workspace.yaml.
    this.tasks.tryFind('install')?.reset('echo "installed by the workspace root"');
    this.tasks.tryFind('install:ci')?.reset('echo "installed by the workspace root"');

    this.package.addField(
      'exports',
      options.exports ?? { '.': { types: './lib/index.d.ts', source: './src/index.ts', default: './lib/index.js' } },
    );
    this.package.addField('types', './lib/index.d.ts');
    // Workspace packages are never published.
    this.package.addField('private', true);
    new RootProjenrc(this);

    // The Nx targets are plain commands run in the package folder (Nx's run-commands puts
    // node_modules/.bin on PATH; its run-script executor would need a global pnpm). projen's own
    // tasks stay out of package.json.
    for (const task of this.tasks.all) this.removeScript(task.name);
    const commands: Record<string, string> = {
      build: 'tsc -p tsconfig.json',
      lint: "tsc -p tsconfig.dev.json && eslint . && prettier --check --ignore-path ../../.prettierignore '**/*.ts'",
      test: 'jest',
      ...options.targets,
    };
    const targets: Record<string, unknown> = {};
    for (const [name, command] of Object.entries(commands)) {
      targets[name] = { command, options: { cwd: '{projectRoot}' } };
    }
    if (options.extraTestInputs !== undefined) {
      targets.test = { ...(targets.test as object), inputs: ['default', '^production', ...options.extraTestInputs] };
    }
    if (options.testDependsOn !== undefined) {
      targets.test = { ...(targets.test as object), dependsOn: options.testDependsOn };
    }
    this.package.addField('nx', { name: options.nxName, targets });

    new javascript.TypescriptConfig(this, {
      fileName: 'tsconfig.json',
      extends: javascript.TypescriptConfigExtends.fromPaths(['../../tsconfig.base.json']),
      include: ['src/**/*.ts'],
      compilerOptions: { rootDir: 'src', outDir: 'lib' },
    });
    new javascript.TypescriptConfig(this, {
      fileName: 'tsconfig.dev.json',
      extends: javascript.TypescriptConfigExtends.fromPaths(['../../tsconfig.base.json']),
      include: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', '*.ts'],
      compilerOptions: { noEmit: true },
    });

    new JsonFile(this, 'jest.config.json', {
      obj: {
        testEnvironment: 'node',
        roots: ['<rootDir>/test'],
        testMatch: ['**/*.test.ts'],
        // Workspace packages resolve to their TypeScript source, so tests need no prior build.
        testEnvironmentOptions: { customExportConditions: ['source', 'node', 'require', 'default'] },
        transform: { '^.+\\.[jt]s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
        transformIgnorePatterns: [
          `/node_modules/(?!\\.pnpm/${(options.esmOnlyDeps ?? []).map((dep) => `|${dep}/`).join('')})`,
        ],
        testTimeout: options.testTimeout ?? 30_000,
      },
    });

    this.gitignore.exclude('/lib/', '*.tsbuildinfo', ...(options.gitignore ?? []));
  }
}

/**
 * Names the root's `.projenrc.ts` in the "generated by projen" marker of a package's files (projen
 * names `.projenrc.js` in a subproject that has no projenrc of its own).
 */
class RootProjenrc extends ProjenrcFile {
  readonly filePath = '.projenrc.ts';

  // The root's file is not the package's: nothing to un-ignore in the package's .gitignore.
  override preSynthesize(): void {}
}
