/**
 * The AppSync notifier: calls an IAM-only GraphQL mutation over HTTPS, signed with SigV4 using the
 * function's own credentials (the Lambda runtime's environment variables), so that AppSync fans the
 * result out to the subscriptions opened for it.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { DependencyError } from './errors';
import { nodePost, type HttpPost } from './http-post';
import type { Notifier } from './ports';

export type { HttpPost } from './http-post';
import { NodeSha256 } from './sha256';

export interface AppSyncNotifierOptions {
  /** The API's GraphQL URL: `https://<id>.appsync-api.<region>.amazonaws.com/graphql`. */
  readonly url: string;
  readonly region: string;
  /** The mutation document, selecting every field subscribers may ask for. */
  readonly mutation: string;
  /** @default the function's credentials from its environment */
  readonly credentials?: AwsCredentialIdentityProvider;
  /**
   * Sends the signed request. @default node:http(s) — not the global `fetch`, whose first use in a
   * process loads undici lazily (about 30 ms of every cold start on Node 20).
   */
  readonly post?: HttpPost;
}

export interface NotifierMetrics {
  requests: number;
}

/**
 * @example
 * const notifier = createAppSyncNotifier({ url: config.required('GRAPHQL_URL'), region, mutation: RESERVATION_SAVED });
 * await notifier.notify({ input: { id, commandId, status: 'STORED', version: 1 } });
 */
export function createAppSyncNotifier<Variables extends Record<string, unknown>>(
  options: AppSyncNotifierOptions,
): Notifier<Variables> & { readonly metrics: NotifierMetrics } {
  const url = new URL(options.url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: options.region,
    credentials: options.credentials ?? fromEnv(),
    sha256: NodeSha256,
  });
  const send = options.post ?? nodePost;
  const metrics: NotifierMetrics = { requests: 0 };

  async function notify(variables: Variables): Promise<void> {
    const body = JSON.stringify({ query: options.mutation, variables });
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      headers: { 'content-type': 'application/json', host: url.host },
      body,
    });
    const signed = await signer.sign(request);
    metrics.requests += 1;
    let response: { status: number; text: string };
    try {
      response = await send(url, signed.headers, body);
    } catch (error) {
      throw new DependencyError('NOTIFY_FAILED', `could not reach AppSync at ${url.host}`, { cause: error });
    }
    const { status, text } = response;
    if (status < 200 || status >= 300) {
      throw new DependencyError('NOTIFY_FAILED', `AppSync answered HTTP ${status}: ${text.slice(0, 500)}`);
    }
    let answer: { errors?: { errorType?: string; message?: string }[] };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch (error) {
      throw new DependencyError(
        'NOTIFY_FAILED',
        `AppSync answered with something that is not JSON: ${text.slice(0, 200)}`,
        { cause: error },
      );
    }
    if (answer.errors !== undefined && answer.errors.length > 0) {
      const reasons = answer.errors.map((error) => `${error.errorType ?? 'Error'}: ${error.message ?? ''}`).join('; ');
      throw new DependencyError('NOTIFY_FAILED', `AppSync refused the notification: ${reasons}`);
    }
  }

  return { notify, metrics };
}
