// One cold start, in a fresh Node process, loading a handler bundle as Lambda loads it (`require()` of
// an `index.js` or `.cjs`, a dynamic `import()` of an `.mjs` file URL), then serving one invocation.
//
//   node cold-start-child.mjs                       bare: loads nothing (the baseline process)
//   node cold-start-child.mjs <bundle>              init: loads the bundle, then exits
//   node cold-start-child.mjs --builtins a,b        floor: requires Node's built-in modules a, b, then exits
// These print { cpuMs }: the CPU time the process used (all its threads), from its start.
//   node cold-start-child.mjs --list-builtins <bundle>
//                                                   prints the public built-in modules loading the bundle loads
//   node cold-start-child.mjs <bundle> <event> [<export>] [--profile <dir>]
//                                                   loads it and invokes `<export>` (default `handler`)
//
// With an event it prints one JSON line: { importMs, firstInvokeMs, outcome }. With --profile it
// writes import.cpuprofile and invoke.cpuprofile (V8's sampling profiler, started before the import
// and again before the invocation) into <dir>.
import { builtinModules, createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** Loads a handler module as Lambda's Node.js runtime does: `.mjs` imported, anything else required. */
async function loadHandlerModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return createRequire(import.meta.url)(file);
  } catch (error) {
    if (error?.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw error;
  }
}

const publicBuiltins = new Set(builtinModules);
/** The public built-in modules this process has loaded so far. */
const loadedBuiltins = () =>
  new Set(
    process.moduleLoadList
      .filter((entry) => entry.startsWith('NativeModule '))
      .map((entry) => entry.slice('NativeModule '.length))
      .filter((name) => publicBuiltins.has(name)),
  );

const args = process.argv.slice(2);
if (args[0] === '--builtins') {
  const require = createRequire(import.meta.url);
  for (const name of (args.splice(0, 2)[1] ?? '').split(',').filter(Boolean)) require(`node:${name}`);
}
if (args[0] === '--list-builtins') {
  const before = loadedBuiltins();
  await loadHandlerModule(args[1]);
  process.stdout.write(`${JSON.stringify([...loadedBuiltins()].filter((name) => !before.has(name)))}\n`);
  process.exit(0);
}
const profileAt = args.indexOf('--profile');
const profileDir = profileAt < 0 ? undefined : args.splice(profileAt, 2)[1];
const [bundle, eventJson, exportName = 'handler'] = args;

const profiler = profileDir === undefined ? undefined : await startProfiler();
if (eventJson === undefined)
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
  });
if (bundle !== undefined) {
  await profiler?.start();
  const started = performance.now();
  const module = await loadHandlerModule(bundle);
  const imported = performance.now();
  await profiler?.stop('import');
  if (eventJson !== undefined) {
    let outcome = 'ok';
    await profiler?.start();
    try {
      const result = await module[exportName](JSON.parse(eventJson), { awsRequestId: 'bench', functionName: 'bench' });
      // A dead-letter handler answers with the messages it could not settle instead of throwing.
      if (result?.batchItemFailures?.length > 0) outcome = `unsettled: ${JSON.stringify(result.batchItemFailures)}`;
    } catch (error) {
      outcome = `${error.name}: ${error.message}`;
    }
    const invoked = performance.now();
    await profiler?.stop('invoke');
    process.stdout.write(
      `${JSON.stringify({ importMs: imported - started, firstInvokeMs: invoked - imported, outcome })}\n`,
    );
  }
}

/** The inspector's CPU profiler, sampling every 100 µs; each stop writes `<name>.cpuprofile`. */
async function startProfiler() {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  return {
    start: () => post('Profiler.start'),
    async stop(name) {
      const { profile } = await post('Profiler.stop');
      writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
