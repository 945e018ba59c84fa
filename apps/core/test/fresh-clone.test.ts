/**
 * A fresh clone synthesizes without a build: the app command of cdk.json, run as the CDK CLI runs
 * it, in a copy of the workspace where no package has a `lib/` folder, writes the same handler
 * bundles as the synth of the built workspace (apps/core/cdk.out). `cdk bootstrap` runs the same
 * app command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, sep } from 'node:path';
import { WORKSPACE_ROOT } from './support/aggregates';
import { readStackResources, type Resources } from './support/template';

/** Build and run outputs a clone does not have. */
const NOT_IN_A_CLONE = new Set(['lib', 'cdk.out', '.local']);

/**
 * The workspace's packages and root files, without their build outputs. `node_modules` folders are
 * copied as the links pnpm made (relative, so a package's link to another workspace package points
 * into the copy); the root `node_modules` is linked to this workspace's, as `pnpm install` would
 * have filled it.
 */
function copyWorkspaceWithoutBuilds(): string {
  const copy = mkdtempSync(join(tmpdir(), 'core-fresh-clone-'));
  for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json']) {
    copyFileSync(join(WORKSPACE_ROOT, file), join(copy, file));
  }
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(copy, 'node_modules'));
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(WORKSPACE_ROOT, group))) {
      const from = join(WORKSPACE_ROOT, group, name);
      cpSync(from, join(copy, group, name), {
        recursive: true,
        verbatimSymlinks: true,
        filter: (path) => !NOT_IN_A_CLONE.has(relative(from, path).split(sep)[0] ?? ''),
      });
    }
  }
  return copy;
}

/** Runs apps/core's cdk.json app command in `workspace`, as `npx cdk synth` would, into `outdir`. */
function runApp(workspace: string, outdir: string): void {
  const appDir = join(workspace, 'apps', 'core');
  const cdkJson = JSON.parse(readFileSync(join(appDir, 'cdk.json'), 'utf8')) as { app: string; context: object };
  execFileSync('sh', ['-c', cdkJson.app], {
    cwd: appDir,
    stdio: 'pipe',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context),
      // npx puts these on PATH: NodejsFunction runs `pnpm exec esbuild`.
      PATH: [join(appDir, 'node_modules', '.bin'), join(workspace, 'node_modules', '.bin'), process.env.PATH].join(
        delimiter,
      ),
      // The copy shares this workspace's node_modules: pnpm must not re-install into it.
      pnpm_config_verify_deps_before_run: 'false',
    },
  });
}

const bundlesOf = (resources: Resources) =>
  Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => [id, r.Properties.Code.S3Key as string]),
  );

let workspace: string;
let outdir: string;

beforeAll(() => {
  workspace = copyWorkspaceWithoutBuilds();
  outdir = join(workspace, 'cdk.out');
  runApp(workspace, outdir);
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('a fresh clone', () => {
  it('synthesizes, with no lib/ folder in any package, the same functions and bundles as the built workspace', () => {
    for (const group of ['packages', 'apps']) {
      for (const name of readdirSync(join(workspace, group)))
        expect(existsSync(join(workspace, group, name, 'lib'))).toBe(false);
    }
    const fresh = bundlesOf(readStackResources(outdir, 'Core'));
    expect(Object.keys(fresh).length).toBeGreaterThan(0);
    expect(fresh).toEqual(bundlesOf(readStackResources(join(__dirname, '..', 'cdk.out'), 'Core')));
    for (const key of Object.values(fresh)) {
      expect(existsSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'))).toBe(true);
    }
  });
});
