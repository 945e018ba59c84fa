/**
 * The local core's public shapes: what `bootLocalCore` takes (`BootOptions`), what it returns
 * (`LocalCore`) and the AWS operations it counts (`LocalCoreMetrics`).
 */
import type { LocalQueue } from '../eventbridge';
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
  /** Where DynamoDB data, dead letters and `endpoint.json` are kept. @default in memory, nothing written */
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
  readonly dynamoReadRequests: number;
  readonly dynamoWriteRequests: number;
  readonly dynamoReadUnits: number;
  readonly dynamoWriteUnits: number;
  readonly lambdaInvocations: number;
  readonly lambdaColdStarts: number;
  readonly lambdaBilledMs: number;
  /** Bytes the functions wrote to their logs (what CloudWatch Logs would ingest). */
  readonly lambdaLogBytes: number;
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
  /** Dead-letter queues by name, for inspection. */
  readonly queues: ReadonlyMap<string, LocalQueue>;
  /** Resolves when no bus delivery, retry or async invocation is in flight. */
  idle(): Promise<void>;
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
    write: options.log ?? ((line: string) => console.log(line)),
  };
}
