// Sums the self time of .cpuprofile files by where the code lives (node_modules/<package>,
// packages/<name>/src/<folder>, Node's internals), largest first: the table of
// docs/bench/local-load-profile.md. With --native, the native self time instead, by the native function and
// the JavaScript frame that called it (a socket write, a postMessage to a worker).
//   node bench/profile-summary.mjs [--native] /tmp/prof/*.cpuprofile
import { readFileSync } from 'node:fs';

const V8_STATES = new Set(['(idle)', '(program)', '(garbage collector)']);

/** Where a profile node's code lives. */
function placeOf({ functionName, url }) {
  if (V8_STATES.has(functionName)) return functionName;
  if (url === '') return '(native)';
  if (url.includes('node_modules/')) {
    const [scope, name] = url.split('node_modules/').at(-1).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.includes('/packages/')) return `packages/${url.split('/packages/')[1].split('/').slice(0, 3).join('/')}`;
  if (url.startsWith('node:')) return url.split('/')[0];
  return url.split('/').slice(-2).join('/');
}

/** Microseconds of self time per place, over every sample of one profile. */
function addProfile(file, totals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((nodeId, i) => {
    const place = placeOf(nodes.get(nodeId).callFrame);
    totals.set(place, (totals.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
}

/** Microseconds of native self time per `native function <- nearest JavaScript caller`. */
function addNative(file, totals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node])));
  profile.samples.forEach((nodeId, i) => {
    const node = nodes.get(nodeId);
    if (placeOf(node.callFrame) !== '(native)') return;
    let caller = parents.get(node.id);
    while (caller !== undefined && caller.callFrame.url === '') caller = parents.get(caller.id);
    const where = caller === undefined ? '?' : `${caller.callFrame.functionName} (${placeOf(caller.callFrame)})`;
    const key = `${node.callFrame.functionName} <- ${where}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
}

const native = process.argv.includes('--native');
const files = process.argv.slice(2).filter((arg) => arg !== '--native');
const totals = new Map();
for (const file of files) (native ? addNative : addProfile)(file, totals);
const sampledUs = [...totals.values()].reduce((sum, us) => sum + us, 0);
for (const [place, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / sampledUs).toFixed(1).padStart(5)}%  ${place}`);
console.log(`${(sampledUs / 1000).toFixed(0)} ms sampled in ${files.length} profile(s)`);
