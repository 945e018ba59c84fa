/**
 * Rebuilds a handler bundle with a source map, with the esbuild settings every function is bundled
 * with (`HANDLER_BUNDLING` of @core/infra), and checks that the code is byte for byte the bundle in
 * cdk.out: a profile of the rebuilt bundle is a profile of the code that deploys.
 */
import { HANDLER_BUNDLING } from '@core/infra';
import { build, type BuildOptions } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** HANDLER_BUNDLING as esbuild's own options; a CLI flag this does not know is an error. */
function esbuildOptions(): BuildOptions {
  const bundling = HANDLER_BUNDLING;
  const options: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    target: bundling.target,
    minify: bundling.minify,
    mainFields: bundling.mainFields,
    banner: bundling.banner === undefined ? undefined : { js: bundling.banner },
    logLevel: 'silent',
  };
  for (const [flag, value] of Object.entries(bundling.esbuildArgs ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (flag === '--conditions') options.conditions = values.join(',').split(',');
    else if (flag === '--alias')
      options.alias = Object.fromEntries(values.map((alias) => alias.split('=') as [string, string]));
    else throw new Error(`rebuild.ts does not know the esbuild flag ${flag} of HANDLER_BUNDLING`);
  }
  return options;
}

/**
 * The bundle of `entry` rebuilt in a temporary directory with an external source map
 * (`<bundle file>.map`); `workingDir` is where CDK runs esbuild (the directory of the lock file).
 */
export async function rebuildWithSourceMap(entry: string, deployed: string, workingDir: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'bench-bundle-')), basename(deployed));
  await build({
    ...esbuildOptions(),
    entryPoints: [entry],
    outfile,
    absWorkingDir: workingDir,
    sourcemap: 'external',
    sourcesContent: false,
  });
  if (!readFileSync(outfile).equals(readFileSync(deployed)))
    throw new Error(`${entry} rebuilt is not the bundle in cdk.out (${deployed}): synthesize again`);
  return outfile;
}
