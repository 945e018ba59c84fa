// Runs a TypeScript benchmark with plain Node: esbuild compiles it (dependencies stay external) into a
// temporary CommonJS file, which Node then runs. Not ts-node, whose REPL loads `node:domain`, which
// slows every EventEmitter of the process down: the command-path benchmark runs the handlers and
// dynalite in this process, and the handlers benchmark serves the cold starts from it.
//   node bench/run.mjs bench/handlers.ts
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const entry = resolve(process.argv[2]);
// Next to the entry, so that __dirname and relative paths mean what they mean in the source.
const outfile = join(dirname(entry), `.${basename(entry, '.ts')}.${process.pid}.cjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.setSourceMapsEnabled(true);
try {
  createRequire(import.meta.url)(outfile);
} finally {
  rmSync(outfile, { force: true });
}
