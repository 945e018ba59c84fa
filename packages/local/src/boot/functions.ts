/**
 * Lambda functions: every `AWS::Lambda::Function` of the templates, run from its bundle in `cdk.out`
 * with the template's handler, runtime, environment, memory, timeout and role (its local
 * credentials), its async retries and maximum event age (`AWS::Lambda::EventInvokeConfig`) and
 * dead-letter queue. Asynchronous invocations are journalled until they finished (journals.ts). The
 * functions reach the local services through `AWS_ENDPOINT_URL_*` only. Their output feeds the journey.
 */
import { functionAssetPath, type StackContext } from '../cloudformation';
import { LocalCoreError } from '../errors';
import { createLocalFunction, type AsyncInvocationFailure, type InvokeResult, type LocalFunction } from '../lambda';
import type { Closers } from './closers';
import type { Journey } from './journey';
import type { LocalJournals } from './journals';
import type { LocalCredentials, LocalPrincipals } from './principals';
import type { LocalQueues } from './queues';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

/** A running function with what the metrics show of it. */
export interface LocalFunctionEntry {
  readonly fn: LocalFunction;
  /** The construct path without the stack: `Reservation/CommandHandler`. */
  readonly path: string;
  readonly memoryMb: number;
  /** The local credentials of the function's role. */
  readonly credentials: LocalCredentials;
}

export interface LocalFunctions {
  /** The function of an unqualified ARN. */
  get(functionArn: string): LocalFunctionEntry | undefined;
  /** The function of a name or an ARN (as an event source mapping's `FunctionName` gives it). */
  find(nameOrArn: string): LocalFunctionEntry | undefined;
  /** Ends the running invocations whose event matches, in every function (fault injection). */
  terminateRunning(matches: (eventJson: string) => boolean): Promise<number>;
  /** Invokes a function by ARN (a version or `$LATEST` qualifier is ignored); unknown ARNs answer as Lambda does. */
  invoke(functionArn: string, event: unknown): Promise<InvokeResult>;
  readonly all: readonly LocalFunctionEntry[];
  /** Bytes the functions wrote to their logs. */
  logBytes(): number;
  /** Of those, the bytes of lines logged at WARN or above (what an application log level of WARN keeps). */
  warnLogBytes(): number;
}

export interface FunctionDeps {
  readonly settings: BootSettings;
  readonly principals: LocalPrincipals;
  readonly queues: LocalQueues;
  readonly journey: Journey;
  readonly journals: LocalJournals;
  /** The endpoint of the local AWS APIs. */
  readonly baseUrl: string;
  /** The local CA, when TLS is on. */
  readonly caFile: string | undefined;
}

export function createFunctions(stacks: readonly LocalStack[], deps: FunctionDeps, closers: Closers): LocalFunctions {
  const byArn = new Map<string, LocalFunctionEntry>();
  const log = { bytes: 0, warnBytes: 0 };
  for (const local of stacks) {
    const invokeConfigs = asyncInvokeConfigs(local.ctx);
    for (const id of local.ctx.resourcesOfType('AWS::Lambda::Function')) {
      const entry = startFunction(local, id, invokeConfigs, deps, log);
      closers.add(() => entry.fn.close());
      byArn.set(entry.fn.arn, entry);
    }
  }
  const all = [...byArn.values()];
  return {
    get: (functionArn) => byArn.get(functionArn),
    find: (nameOrArn) => byArn.get(nameOrArn) ?? all.find(({ fn }) => fn.name === nameOrArn),
    terminateRunning: async (matches) =>
      (await Promise.all(all.map(({ fn }) => fn.terminateRunning(matches)))).reduce((sum, n) => sum + n, 0),
    invoke: async (functionArn, event) => {
      const target = byArn.get(functionArn.replace(/:(\$LATEST|\d+)$/, ''));
      if (target === undefined) {
        return {
          ok: false,
          errorType: 'ResourceNotFoundException',
          errorMessage: `Function not found: ${functionArn}`,
        };
      }
      return target.fn.invoke(event);
    },
    all,
    logBytes: () => log.bytes,
    warnLogBytes: () => log.warnBytes,
  };
}

function startFunction(
  { stack, ctx }: LocalStack,
  id: string,
  invokeConfigs: ReadonlyMap<string, AsyncInvokeConfig>,
  deps: FunctionDeps,
  log: { bytes: number; warnBytes: number },
): LocalFunctionEntry {
  const resource = stack.template.Resources?.[id] ?? { Type: 'AWS::Lambda::Function' };
  const props = ctx.resolveProperties(id);
  const name = String(ctx.ref(id));
  const path = constructPath(resource.Metadata?.['aws:cdk:path'], id);
  const roleId = logicalIdOf(resource.Properties?.['Role']);
  const credentials = roleId === undefined ? undefined : deps.principals.credentialsOf(stack.stackName, roleId);
  if (credentials === undefined)
    throw new LocalCoreError(
      'FUNCTION_WITHOUT_ROLE',
      `function ${path} has no role of this template; cannot give it credentials`,
    );
  const memoryMb = Number(props['MemorySize'] ?? 128);
  const { retries = 2, maximumEventAgeSeconds } = invokeConfigs.get(name) ?? {};
  const deadLetterArn = (props['DeadLetterConfig'] as { TargetArn?: string } | undefined)?.TargetArn;
  const { settings } = deps;
  const fn = createLocalFunction({
    name,
    arn: String(ctx.getAtt(id, 'Arn')),
    assetDir: functionAssetPath(stack.assemblyDir, resource, id),
    handler: String(props['Handler']),
    runtime: String(props['Runtime']),
    timeoutSeconds: Number(props['Timeout'] ?? 3),
    memoryMb,
    environment: stringRecord((props['Environment'] as { Variables?: unknown } | undefined)?.Variables),
    region: settings.region,
    runtimeEnvironment: {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: deps.baseUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: deps.baseUrl,
      AWS_ENDPOINT_URL_SFN: deps.baseUrl,
      ...(deps.caFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: deps.caFile }),
    },
    asyncRetryDelaysMs: settings.asyncRetryDelaysMs.slice(0, retries),
    ...(maximumEventAgeSeconds === undefined
      ? {}
      : { maximumEventAgeMs: maximumEventAgeSeconds * 1000 * settings.durationScale }),
    asyncJournal: deps.journals.asyncOf(name),
    onAsyncFailure: (failure) => deadLetter(failure, path, deadLetterArn, deps),
    log: (line) => {
      const text = line.replace(/^\[[^\]]*\] ?/, '');
      const bytes = Buffer.byteLength(text) + 1;
      log.bytes += bytes;
      // Lambda's line: <time>\t<requestId>\t<LEVEL>\t<message>.
      if (/^[^\t]*\t[^\t]*\t(WARN|ERROR|FATAL)\t/.test(text)) log.warnBytes += bytes;
      if (/^cold start /.test(text)) settings.write(`${''.padStart(12)}${path}: ${text}`);
      else deps.journey.functionLine(path, text);
    },
  });
  return { fn, path, memoryMb, credentials };
}

/** An async invocation that failed every attempt goes to the function's dead-letter queue, if it has one. */
async function deadLetter(
  failure: AsyncInvocationFailure,
  path: string,
  deadLetterArn: string | undefined,
  { settings, queues }: FunctionDeps,
): Promise<void> {
  const reason = `${failure.error.errorType}: ${failure.error.errorMessage}`;
  settings.write(`!! ${path}: async invocation failed ${failure.attempts} time(s): ${reason}`);
  const queue = deadLetterArn === undefined ? undefined : queues.get(deadLetterArn);
  if (queue === undefined) {
    settings.write(
      `!! ${path}: no dead-letter queue; the event is dropped: ${JSON.stringify(failure.event).slice(0, 300)}`,
    );
    return;
  }
  await queue.send({
    body: JSON.stringify(failure.event),
    attributes: { RequestID: failure.invocationId, ErrorCode: '200', ErrorMessage: reason.slice(0, 1000) },
  });
}

interface AsyncInvokeConfig {
  readonly retries?: number;
  readonly maximumEventAgeSeconds?: number;
}

/** Lambda's async retry count and maximum event age by function name, from `AWS::Lambda::EventInvokeConfig`. */
function asyncInvokeConfigs(ctx: StackContext): Map<string, AsyncInvokeConfig> {
  const configs = new Map<string, AsyncInvokeConfig>();
  for (const id of ctx.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
    const props = ctx.resolveProperties(id);
    configs.set(String(props['FunctionName']), {
      retries: props['MaximumRetryAttempts'] as number | undefined,
      maximumEventAgeSeconds: props['MaximumEventAgeInSeconds'] as number | undefined,
    });
  }
  return configs;
}

/** `Core/Reservation/CommandHandler/Resource` → `Reservation/CommandHandler`. */
function constructPath(cdkPath: unknown, logicalId: string): string {
  return (
    String(cdkPath ?? logicalId)
      .split('/')
      .slice(1, -1)
      .join('/') || logicalId
  );
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function logicalIdOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) result[k] = String(v);
  return result;
}
