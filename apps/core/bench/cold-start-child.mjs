// One cold start, in a fresh Node process: load a handler bundle and serve its first invocation.
// Prints one JSON line: { importMs, firstInvokeMs, totalMs } (ms since this process started).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const module = await import(pathToFileURL(bundle).href);
const imported = performance.now();
let outcome = 'ok';
try {
  await module.handler(JSON.parse(eventJson), { awsRequestId: 'bench', functionName: 'bench' });
} catch (error) {
  outcome = `${error.name}: ${error.message}`;
}
const invoked = performance.now();
process.stdout.write(
  `${JSON.stringify({ importMs: imported - started, firstInvokeMs: invoked - imported, totalMs: invoked, outcome })}\n`,
);
