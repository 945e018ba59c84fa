/**
 * The JavaScript that runs inside each worker thread (an execution environment). It is a string so
 * that it runs unchanged from `src/` (under jest) and from the compiled `lib/`; it must not contain a
 * backtick or a dollar-brace sequence.
 *
 * It loads the bundle (`<module>.js` through `require`, falling back to `import` for ES modules;
 * `<module>.mjs` through `import`), finds the handler, then answers `invoke` messages with `result`
 * messages. Console output is formatted as Lambda does (`<time>\t<requestId>\t<LEVEL>\t<message>`) and sent
 * as `log` messages, so it stays in order with results. See `protocol.ts` for the messages.
 */
export const WORKER_BOOTSTRAP_SOURCE: string = String.raw`'use strict';
// Runs inside a worker thread: loads the function's bundle, then serves invocations sent by the runner.
// Mirrors the Node.js Lambda runtime where it matters locally: handler lookup and its errors, the
// context object, console format, error shape, and errors for unhandled rejections.
const { parentPort, workerData } = require('node:worker_threads');
const { format, types } = require('node:util');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const config = workerData;
let currentRequestId;

function post(message) {
  parentPort.postMessage(message);
}

function toFunctionError(error) {
  if (types.isNativeError(error) || error instanceof Error) {
    const trace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    return { errorType: String(error.name || 'Error'), errorMessage: String(error.message), trace: trace };
  }
  let message;
  try {
    message = typeof error === 'string' ? error : JSON.stringify(error);
  } catch (e) {
    message = String(error);
  }
  return { errorType: typeof error, errorMessage: String(message), trace: [] };
}

function runtimeError(type, message, cause) {
  const error = new Error(message);
  error.name = 'Runtime.' + type;
  if (cause && typeof cause.stack === 'string') error.stack = error.name + ': ' + message + '\n' + cause.stack;
  return error;
}

// console -> Lambda's text log format, sent through the message port so that lines stay in order
// with the invocation results.
function emit(level, args) {
  const line = new Date().toISOString() + '\t' + (currentRequestId || 'undefined') + '\t' + level + '\t' + format.apply(null, args);
  post({ type: 'log', line: line });
}
console.log = function () { emit('INFO', arguments); };
console.info = function () { emit('INFO', arguments); };
console.warn = function () { emit('WARN', arguments); };
console.error = function () { emit('ERROR', arguments); };
console.debug = function () { emit('DEBUG', arguments); };
console.trace = function () {
  const stack = (new Error().stack || '').split('\n').slice(2).join('\n');
  emit('TRACE', [format.apply(null, arguments) + '\n' + stack]);
};

function fatal(error) {
  post({ type: 'fatal', error: error });
  process.exit(1);
}
process.on('unhandledRejection', function (reason) {
  const detail = toFunctionError(reason);
  const message = types.isNativeError(reason) || reason instanceof Error ? detail.errorType + ': ' + detail.errorMessage : detail.errorMessage;
  fatal({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: message, trace: detail.trace });
});
process.on('uncaughtException', function (error) {
  fatal(toFunctionError(error));
});

// Packages the bundle leaves out (NodejsFunction marks @aws-sdk/* external) come from the runtime on
// Lambda. Locally they come from config.runtimeNodePath: NODE_PATH (set by the runner) serves require(),
// and this resolve hook serves import.
function registerRuntimeNodePath() {
  if (config.runtimeNodePath.length === 0) return;
  const register = require('node:module').register;
  if (typeof register !== 'function') return;
  const parents = config.runtimeNodePath.map(function (dir) { return pathToFileURL(path.join(dir, 'noop.js')).href; });
  const hook =
    'const parents = ' + JSON.stringify(parents) + ';\n' +
    'export async function resolve(specifier, context, next) {\n' +
    '  try { return await next(specifier, context); } catch (error) {\n' +
    '    if (!error || error.code !== "ERR_MODULE_NOT_FOUND" || /^(\\.|\\/|[a-z]+:)/i.test(specifier)) throw error;\n' +
    '    for (const parentURL of parents) {\n' +
    '      try { return await next(specifier, { ...context, parentURL }); } catch {}\n' +
    '    }\n' +
    '    throw error;\n' +
    '  }\n' +
    '}\n';
  register('data:text/javascript,' + encodeURIComponent(hook));
}

async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw error;
  }
}

async function loadHandler() {
  const full = config.handler;
  const base = path.basename(full);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) throw runtimeError('MalformedHandlerName', 'Bad handler ' + full);
  const moduleName = path.join(path.dirname(full), base.slice(0, dot));
  const modulePath = path.resolve(config.taskRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map(function (ext) { return modulePath + ext; }).find(function (candidate) { return fs.existsSync(candidate); });
  if (!file) throw runtimeError('ImportModuleError', "Error: Cannot find module '" + moduleName + "'");
  let loaded;
  try {
    loaded = await loadModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError('UserCodeSyntaxError', String(error), error);
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) throw runtimeError('ImportModuleError', String(error), error);
    throw error;
  }
  const names = base.slice(dot + 1).split('.');
  const find = function (root) {
    return names.reduce(function (value, name) { return value === undefined || value === null ? undefined : value[name]; }, root);
  };
  let handler = find(loaded);
  if (handler === undefined && loaded && loaded.default) handler = find(loaded.default);
  if (handler === undefined) throw runtimeError('HandlerNotFound', full + ' is undefined or not exported');
  if (typeof handler !== 'function') throw runtimeError('HandlerNotFound', full + ' is not a function');
  if (config.runtimeMajor >= 24 && handler.length >= 3) {
    throw runtimeError(
      'CallbackHandlerDeprecated',
      'Callback-based function handlers are not supported from Node.js 24 on; use an async handler. See https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html',
    );
  }
  return handler;
}

function traceId() {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return 'Root=1-' + seconds + '-' + randomBytes(12).toString('hex') + ';Parent=' + randomBytes(8).toString('hex') + ';Sampled=0';
}

function call(handler, event, context) {
  if (handler.length < 3) return Promise.resolve().then(function () { return handler(event, context); });
  return new Promise(function (resolve, reject) {
    const callback = function (error, value) { if (error !== undefined && error !== null) reject(error); else resolve(value); };
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

// NODE_EXTRA_CA_CERTS is read once, when the process starts; a worker's env does not change the trust
// store. So a worker given its own file (the local core's CA) adds it to every default TLS context.
function trustExtraCaCerts() {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file || !fs.existsSync(file)) return;
  const pem = fs.readFileSync(file, 'utf8');
  const tls = require('node:tls');
  const createSecureContext = tls.createSecureContext;
  tls.createSecureContext = function (options) {
    const context = createSecureContext.call(this, options);
    if (!options || !options.ca) context.context.addCACert(pem);
    return context;
  };
}

async function main() {
  trustExtraCaCerts();
  registerRuntimeNodePath();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    post({ type: 'init-error', error: toFunctionError(error) });
    return;
  }
  parentPort.on('message', async function (message) {
    if (!message || message.type !== 'invoke') return;
    currentRequestId = message.requestId;
    process.env._X_AMZN_TRACE_ID = traceId();
    const context = {
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      invokedFunctionArn: config.invokedFunctionArn,
      memoryLimitInMB: config.memoryLimitInMB,
      awsRequestId: message.requestId,
      logGroupName: config.logGroupName,
      logStreamName: config.logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      identity: undefined,
      clientContext: undefined,
      getRemainingTimeInMillis: function () { return Math.max(0, message.deadlineMs - Date.now()); },
    };
    try {
      const value = await call(handler, JSON.parse(message.eventJson), context);
      let json;
      try {
        json = JSON.stringify(value === undefined ? null : value);
      } catch (error) {
        throw runtimeError('MalformedHandlerResponse', 'The handler returned a value that JSON.stringify cannot serialize: ' + String(error && error.message));
      }
      post({ type: 'result', invocationId: message.invocationId, ok: true, json: json === undefined ? 'null' : json });
    } catch (error) {
      post({ type: 'result', invocationId: message.invocationId, ok: false, error: toFunctionError(error) });
    } finally {
      currentRequestId = undefined;
    }
  });
  post({ type: 'ready' });
}

main();
`;
