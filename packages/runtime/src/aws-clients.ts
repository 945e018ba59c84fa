/**
 * The configuration of the AWS SDK clients a handler builds, from the function's environment only, as
 * Lambda sets it: the region from `AWS_REGION`, the credentials from `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, the endpoint from `AWS_ENDPOINT_URL_<SERVICE>` or
 * `AWS_ENDPOINT_URL` when set (the local runtime sets them). Every other setting the SDK would look
 * up at the first request (in the environment, then in `~/.aws/config`) is given here, so no
 * configuration file is read and no credential provider but the environment's is asked.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readConfig } from './config';

export interface ClientOptions {
  /** Attempts per request, the first included; 1 turns the SDK's own retries off. */
  readonly maxAttempts: number;
  /**
   * How long one request may take, from sending it to the end of the answer; then it fails with
   * a `TimeoutError`. @default no limit
   */
  readonly requestTimeoutMs?: number;
}

/** A setting that is not set (what the SDK would find in an empty environment and no config file). */
const notSet = () => Promise.resolve(undefined);

/** The settings every client shares; `service` as in `AWS_ENDPOINT_URL_<SERVICE>`. */
function commonConfig(service: string, options: ClientOptions) {
  const env = process.env;
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] || env['AWS_ENDPOINT_URL'] || undefined;
  return {
    region: readConfig(env).required('AWS_REGION'),
    credentials: fromEnv(),
    ...(endpoint === undefined ? {} : { endpoint }),
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    useDualstackEndpoint: false,
    useFipsEndpoint: false,
    disableClockSkewCorrection: false,
    authSchemePreference: () => Promise.resolve([]),
    userAgentAppId: notSet,
    // Each send() would otherwise build and sort the command's middleware stack again; the handler
    // never adds middleware to one command, so the stack resolved once per command class is the same.
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: options.requestTimeoutMs !== undefined,
    }),
  };
}

/**
 * `DynamoDBClient` options. Account-based endpoints stay the SDK's default (`preferred`); endpoint
 * discovery stays off.
 *
 * @example
 * const client = new DynamoDBClient(dynamoDbClientConfig({ maxAttempts: 1, requestTimeoutMs: 1_000 }));
 */
export function dynamoDbClientConfig(options: ClientOptions) {
  return {
    ...commonConfig('DYNAMODB', options),
    accountIdEndpointMode: 'preferred' as const,
    endpointDiscoveryEnabledProvider: notSet,
  };
}

/**
 * `EventBridgeClient` options. No SigV4a region set is configured (it only matters for global
 * endpoints, which the publisher does not use).
 *
 * @example
 * const client = new EventBridgeClient(eventBridgeClientConfig({ maxAttempts: 3 }));
 */
export function eventBridgeClientConfig(options: ClientOptions) {
  return { ...commonConfig('EVENTBRIDGE', options), sigv4aSigningRegionSet: notSet };
}
