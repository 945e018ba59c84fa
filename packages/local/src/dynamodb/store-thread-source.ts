/**
 * The JavaScript of the store's worker thread: dynalite (LevelDB, its table descriptions kept in memory)
 * behind the transaction front of `@core/dynalite-transactions`, which hands it each request in the thread
 * (no socket between them), so that the data store's work runs beside the local core's main thread
 * (HTTP, GraphQL, signatures), not on it. It is a string so that it runs unchanged from `src/` (under
 * jest) and from the compiled `lib/`; it must not contain a backtick or a dollar-brace sequence.
 *
 * Messages to the main thread: `{ type: 'listening', endpoint }` once the front listens,
 * `{ type: 'failed', message }` when they cannot, `{ type: 'closed' }` after a `{ type: 'close' }`, and
 * `{ type: 'answer', id, status, headers, body }` for each `{ type: 'request', id, target, body }`: a
 * request from the main thread served without a socket.
 */
export const STORE_THREAD_SOURCE: string = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
// Resolved as packages/local resolves them, with Node's default conditions (the compiled builds).
const load = createRequire(workerData.resolveFrom);
const { startTransactionFront, dynaliteWithTableCache } = load('@core/dynalite-transactions');

function listen(server) {
  return new Promise(function (resolve, reject) {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', function () {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise(function (resolve) {
    server.close(function () { resolve(); });
    server.closeAllConnections();
  });
}

// One request from the main thread, served by the front as its port serves it; the answer goes back by id.
async function answer(front, message) {
  const wire = await front.handle(message.target, Buffer.from(message.body));
  parentPort.postMessage({ type: 'answer', id: message.id, status: wire.status, headers: wire.headers, body: wire.body });
}

async function start() {
  const delay = workerData.createTableMs;
  const store = dynaliteWithTableCache(Object.assign(
    workerData.dataDir === undefined ? {} : { path: workerData.dataDir },
    { createTableMs: delay, deleteTableMs: delay, updateTableMs: delay },
  ));
  // dynalite listens only because its close() (which closes LevelDB) needs a listening server: the front
  // hands it each request in this thread, without a socket.
  await listen(store);
  const front = await startTransactionFront(Object.assign(
    { upstream: store, port: workerData.port },
    workerData.intentLogPath === undefined ? {} : { intentLogPath: workerData.intentLogPath },
  ));
  parentPort.on('message', async function (message) {
    if (message.type === 'request') return answer(front, message);
    if (message.type !== 'close') return;
    await front.close().catch(function () {});
    await closeServer(store);
    parentPort.postMessage({ type: 'closed' });
  });
  parentPort.postMessage({ type: 'listening', endpoint: front.endpoint });
}

start().catch(function (error) {
  parentPort.postMessage({ type: 'failed', message: String(error && error.message ? error.message : error) });
});
`;
