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
import type { Notifier } from './ports';
import { NodeSha256 } from './sha256';

export interface AppSyncNotifierOptions {
  /** The API's GraphQL URL: `https://<id>.appsync-api.<region>.amazonaws.com/graphql`. */
  readonly url: string;
  readonly region: string;
  /** The mutation document, selecting every field subscribers may ask for. */
  readonly mutation: string;
  /** @default the function's credentials from its environment */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** @default global fetch */
  readonly fetch?: typeof fetch;
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
  const send = options.fetch ?? fetch;
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
    let response: Response;
    try {
      response = await send(url, { method: 'POST', headers: signed.headers, body });
    } catch (error) {
      throw new DependencyError('NOTIFY_FAILED', `could not reach AppSync at ${url.host}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new DependencyError('NOTIFY_FAILED', `AppSync answered HTTP ${response.status}: ${text.slice(0, 500)}`);
    }
    const answer = JSON.parse(text) as { errors?: { errorType?: string; message?: string }[] };
    if (answer.errors !== undefined && answer.errors.length > 0) {
      const reasons = answer.errors.map((error) => `${error.errorType ?? 'Error'}: ${error.message ?? ''}`).join('; ');
      throw new DependencyError('NOTIFY_FAILED', `AppSync refused the notification: ${reasons}`);
    }
  }

  return { notify, metrics };
}
