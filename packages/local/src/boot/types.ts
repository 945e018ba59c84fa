/**
 * The local core's public shapes: what `bootLocalCore` takes (`BootOptions`), what it returns
 * (`LocalCore`) and the AWS operations it counts (`LocalCoreMetrics`).
 */
import { LocalCoreError } from '../errors';
import type { LocalQueue } from '../sqs';
import type { FaultConfig, FaultControl } from './faults';
import type { LocalCredentials } from './principals';

export interface BootOptions {
  /** The cloud assembly folder: `apps/core/cdk.out`. */
  readonly assemblyDir: string;
  /** The stacks to boot, by name (`['CoreDev']`). @default every stack of the assembly */
  readonly stacks?: readonly string[];
  /** @default 4000; 0 picks a free port */
  readonly port?: number;
  /** The API key clients send; replaces the template's key. @default `da2-localdevelopmentkey0000000000` */
  readonly apiKey?: string;
  /**
   * Where DynamoDB data, queues, the journals of accepted bus events and pending asynchronous
   * invocations, and `endpoint.json` are kept; with it, a restart (a crash included) resumes what was
   * under way. @default in memory, nothing written
   */
  readonly dataDir?: string;
  /** Serve HTTPS and WSS with a generated certificate (written to `<dataDir>/tls/`). @default false */
  readonly tls?: boolean;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 000000000000 */
  readonly accountId?: string;
  /** Every output line: journey steps and service messages. @default console.log */
  readonly log?: (line: string) => void;
  /** Print every function log line, not only journey steps and errors. @default false */
  readonly verbose?: boolean;
  /** Lambda's async retry delays, scaled down for local runs. @default [1000, 2000] */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** EventBridge's first retry delay, scaled down. @default 100 */
  readonly busRetryBaseMs?: number;
  /**
   * Multiplies the template's durations of the undelivered-commit path: queues' `VisibilityTimeout`,
   * rule targets' and `AWS::Lambda::EventInvokeConfig`'s `MaximumEventAgeInSeconds`. Tests shorten them
   * (0.05 turns 60 s into 3 s); a normal run keeps the template's. @default 1
   */
  readonly durationScale?: number;
  /** At `stop()`, how long in-flight work may take to finish before connections close. @default 10000 */
  readonly drainTimeoutMs?: number;
  /** Faults injected from the start (see `LocalCore.faults`). @default none */
  readonly faults?: FaultConfig;
  /** Serve `GET`/`PUT /_local/faults` to read and set the faults over HTTP. @default false */
  readonly faultEndpoint?: boolean;
  /**
   * The readings of AppSync's error shapes where AWS's behaviour is unconfirmed: a failed Lambda's
   * `errorType` (its error's name, or `Lambda:Unhandled`) and the `errorType` of a validation error
   * (none, or e.g. `ValidationError`). @default `{ lambdaErrorType: 'name' }`, no validation errorType
   */
  readonly appSync?: { readonly lambdaErrorType?: 'name' | 'Lambda:Unhandled'; readonly validationErrorType?: string };
}

/** AWS operations the local core served, for the cost benchmark. */
export interface LocalCoreMetrics {
  readonly appSyncRequests: number;
  readonly realtimeMessagesOut: number;
  readonly realtimeMessagesIn: number;
  readonly realtimeConnectionMinutes: number;
  readonly putEventsCalls: number;
  readonly busEvents: number;
  readonly busBilledEvents: number;
  readonly busDeliveries: number;
  /** Delivery attempts that were retries, and events sent to a target's dead-letter queue. */
  readonly busRetries: number;
  readonly busDeadLettered: number;
  readonly dynamoReadRequests: number;
  readonly dynamoWriteRequests: number;
  readonly dynamoReadUnits: number;
  readonly dynamoWriteUnits: number;
  readonly lambdaInvocations: number;
  readonly lambdaColdStarts: number;
  readonly lambdaBilledMs: number;
  /** Bytes the functions wrote to their logs (what CloudWatch Logs would ingest). */
  readonly lambdaLogBytes: number;
  /** Of those, the bytes of lines at WARN, ERROR or FATAL: what Lambda ingests at an application log level of WARN. */
  readonly lambdaWarnLogBytes: number;
  /** Per function (by construct path), for the boot log and the benchmark. */
  readonly functions: Record<string, { invocations: number; coldStarts: number; billedMs: number; memoryMb: number }>;
}

export interface LocalCore {
  /** The one HTTP(S) server's base URL: AWS SDK clients use it as their endpoint (EventBridge, Step Functions, DynamoDB). */
  readonly endpoint: string;
  /** The AppSync URL, or '' when the assembly has no API. */
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  /** The API key clients send, or '' when the API has no API key mode (a production stack). */
  readonly apiKey: string;
  readonly region: string;
  /** IAM credentials of the local front-end server principal (may call every non-internal field, and nothing else). */
  readonly frontEndCredentials: LocalCredentials;
  /**
   * IAM credentials of an operator: what an administrator's own AWS credentials would be (every
   * action), still refused what a resource policy denies. For tools and tests; never printed.
   */
  readonly operatorCredentials: LocalCredentials;
  /** The credentials of a function's role, by its path (`Reservation/CommandHandler`), for tests. */
  credentialsOf(functionPath: string): LocalCredentials | undefined;
  /** The CA certificate clients must trust when `tls` is on. */
  readonly certificatePem?: string;
  /** Milliseconds from the call to a served endpoint. */
  readonly bootMs: number;
  metrics(): LocalCoreMetrics;
  /** The queues (dead letters, undelivered commits) by name, for inspection. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** The tables by construct path (`Reservation/Events`) → table name. */
  readonly tables: ReadonlyMap<string, string>;
  /** dynalite's own endpoint (unsigned, not metered), for tests and tools that read the tables. */
  readonly dynamoDbEndpoint: string;
  /** The injected faults: off unless set (see the README's "Faults"). */
  readonly faults: FaultControl;
  /**
   * Resolves when no work is in flight or due: no bus delivery or retry, no invocation (async retries
   * included), no execution, no message that an event source mapping can receive now. Messages hidden
   * by their visibility timeout are not waited for.
   */
  idle(): Promise<void>;
  /** Waits (at most `drainTimeoutMs`) for in-flight work, then closes connections and servers; journalled work resumes at the next start. */
  stop(): Promise<void>;
}

/** The options with their defaults applied, as the boot's modules read them. */
export interface BootSettings {
  readonly region: string;
  readonly accountId: string;
  readonly apiKey: string;
  readonly dataDir: string | undefined;
  readonly verbose: boolean;
  readonly asyncRetryDelaysMs: readonly number[];
  readonly busRetryBaseMs: number;
  readonly durationScale: number;
  readonly drainTimeoutMs: number;
  readonly appSync: NonNullable<BootOptions['appSync']>;
  /** Writes one output line. */
  readonly write: (line: string) => void;
}

export const DEFAULT_API_KEY = 'da2-localdevelopmentkey0000000000';

export function settingsOf(options: BootOptions): BootSettings {
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    dataDir: options.dataDir,
    verbose: options.verbose === true,
    asyncRetryDelaysMs: options.asyncRetryDelaysMs ?? [1000, 2000],
    busRetryBaseMs: options.busRetryBaseMs ?? 100,
    durationScale: positiveOption(options.durationScale ?? 1, 'durationScale'),
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    appSync: options.appSync ?? {},
    write: options.log ?? ((line: string) => console.log(line)),
  };
}

function positiveOption(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new LocalCoreError('INVALID_OPTION', `${name} must be a number above 0, got ${String(value)}`);
  return value;
}
