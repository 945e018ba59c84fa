/**
 * What a front-end server configures, checked once when the client is made: the endpoint (AppSync's
 * or the local core's), the auth, and the timings. The real-time URL and the region are derived
 * from an AppSync URL as AWS's own clients derive them.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { ClientUsageError, shortText } from './errors';

/** How the client signs its requests. */
export type ClientAuth =
  /** SigV4, with the standard credential chain unless `credentials` are given. */
  | {
      readonly type: 'AWS_IAM';
      readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    }
  | { readonly type: 'API_KEY'; readonly apiKey: string };

/** Exponential backoff with full jitter: attempt n waits a random time up to min(maxMs, baseMs × 2ⁿ). */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface CoreClientOptions {
  /** `https://<id>.appsync-api.<region>.amazonaws.com/graphql`, a custom domain's, or the local core's `/graphql`. */
  readonly graphqlUrl: string;
  /** @default derived: `appsync-realtime-api` for an AppSync domain, else `<graphqlUrl>/realtime` (ws or wss) */
  readonly realtimeUrl?: string;
  /** @default from an AppSync domain; required for IAM on any other URL */
  readonly region?: string;
  readonly auth: ClientAuth;
  /**
   * Where this server listens: every command carries it and its notification echoes it. One per
   * client; two servers with the same `replyTo` get each other's notifications.
   * @default `fe-<random uuid>`
   */
  readonly replyTo?: string;
  /**
   * How long after a command's deadline the client waits for its notification before it reads the
   * outcome query (the clock skew between this server and the core fits in it).
   * @default 2000
   */
  readonly graceMs?: number;
  /** Attempts of one HTTP request (a command's send, an outcome read) on a network error, a 5xx or throttling. @default 4 */
  readonly requestAttempts?: number;
  /** @default { baseMs: 200, maxMs: 5000 } */
  readonly requestBackoff?: Backoff;
  /** Each HTTP request's timeout (AppSync ends requests at 30 s). @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Between reconnections of the real-time connection. @default { baseMs: 500, maxMs: 30000 } */
  readonly reconnectBackoff?: Backoff;
  /** What the client reports of its work (reconnections, outcome reads): for logs and tests. @default nothing */
  readonly onDiagnostic?: (diagnostic: Diagnostic) => void;
}

/** Something the client did on its own, reported to `onDiagnostic`. */
export type Diagnostic =
  | { readonly type: 'connected'; readonly attempt: number }
  | { readonly type: 'subscribed'; readonly aggregate: string }
  | { readonly type: 'disconnected'; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly inMs: number; readonly attempt: number }
  | {
      readonly type: 'outcome-read';
      /** `late`: no notification by the deadline plus the grace; `resubscribed`: sent while not listening. */
      readonly reason: 'late' | 'resubscribed';
      readonly aggregate: string;
      readonly commandId: string;
      readonly status: string;
    }
  | { readonly type: 'request-retry'; readonly attempt: number; readonly reason: string }
  | {
      readonly type: 'ignored-notification';
      readonly aggregate: string;
      readonly commandId: string;
      readonly why: string;
    };

/** The options, checked, with every default applied. */
export interface ClientSettings {
  readonly graphqlUrl: URL;
  readonly realtimeUrl: URL;
  readonly region: string;
  readonly auth: ClientAuth;
  readonly replyTo: string;
  readonly graceMs: number;
  readonly requestAttempts: number;
  readonly requestBackoff: Backoff;
  readonly requestTimeoutMs: number;
  readonly reconnectBackoff: Backoff;
  readonly diagnostic: (diagnostic: Diagnostic) => void;
}

const APPSYNC_HOST = /^[a-z0-9]+\.appsync-api\.([a-z0-9-]+)\.amazonaws\.com$/;
const MAX_REPLY_TO_LENGTH = 128;

/** @throws ClientUsageError `INVALID_OPTIONS`, saying what to fix */
export function resolveSettings(options: CoreClientOptions): ClientSettings {
  const graphqlUrl = parseUrl(options.graphqlUrl, 'graphqlUrl', ['http:', 'https:']);
  const appSyncRegion = APPSYNC_HOST.exec(graphqlUrl.hostname)?.[1];
  const region = options.region ?? appSyncRegion;
  if (options.auth.type === 'AWS_IAM' && region === undefined)
    invalid('region is required for IAM auth when graphqlUrl is not an AppSync domain');
  if (options.auth.type === 'API_KEY' && !(typeof options.auth.apiKey === 'string' && options.auth.apiKey !== ''))
    invalid('auth.apiKey must be a non-empty string');
  const replyTo = options.replyTo ?? `fe-${randomUUID()}`;
  if (replyTo.trim() === '' || replyTo.length > MAX_REPLY_TO_LENGTH || /\p{Cc}/u.test(replyTo))
    invalid(`replyTo must be non-blank, printable and at most ${MAX_REPLY_TO_LENGTH} characters`);
  return {
    graphqlUrl,
    realtimeUrl:
      options.realtimeUrl === undefined
        ? realtimeUrlOf(graphqlUrl, appSyncRegion !== undefined)
        : parseUrl(options.realtimeUrl, 'realtimeUrl', ['ws:', 'wss:']),
    region: region ?? 'us-east-1',
    auth: options.auth,
    replyTo,
    graceMs: nonNegative(options.graceMs ?? 2_000, 'graceMs'),
    requestAttempts: Math.max(1, Math.floor(nonNegative(options.requestAttempts ?? 4, 'requestAttempts'))),
    requestBackoff: backoff(options.requestBackoff ?? { baseMs: 200, maxMs: 5_000 }, 'requestBackoff'),
    requestTimeoutMs: nonNegative(options.requestTimeoutMs ?? 30_000, 'requestTimeoutMs'),
    reconnectBackoff: backoff(options.reconnectBackoff ?? { baseMs: 500, maxMs: 30_000 }, 'reconnectBackoff'),
    diagnostic: options.onDiagnostic ?? (() => undefined),
  };
}

/** AppSync's real-time endpoint for a GraphQL URL, as AWS's clients derive it. */
export function realtimeUrlOf(graphqlUrl: URL, appSyncDomain: boolean): URL {
  const url = new URL(graphqlUrl.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (appSyncDomain) url.hostname = url.hostname.replace('.appsync-api.', '.appsync-realtime-api.');
  else url.pathname = `${url.pathname.replace(/\/$/, '')}/realtime`;
  return url;
}

/** A random wait for attempt `attempt` (0-based): full jitter up to min(maxMs, baseMs × 2^attempt). */
export function backoffDelay({ baseMs, maxMs }: Backoff, attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30)));
}

function parseUrl(text: string, name: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`${name} is not a URL: ${shortText(String(text), 80)}`);
  }
  if (!protocols.includes(url.protocol)) invalid(`${name} must be ${protocols.join(' or ')}, not ${url.protocol}`);
  return url;
}

function nonNegative(value: number, name: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0))
    invalid(`${name} must be a number of 0 or more`);
  return value;
}

function backoff(value: Backoff, name: string): Backoff {
  return { baseMs: nonNegative(value.baseMs, `${name}.baseMs`), maxMs: nonNegative(value.maxMs, `${name}.maxMs`) };
}

function invalid(message: string): never {
  throw new ClientUsageError('INVALID_OPTIONS', message);
}
