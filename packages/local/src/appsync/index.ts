/**
 * The local AppSync GraphQL endpoint: HTTP `POST /graphql` and the real-time WebSocket protocol on
 * `/graphql/realtime`, with AppSync's auth modes (API_KEY, AWS_IAM), directive-based field
 * authorization, direct Lambda and NONE resolvers, and `@aws_subscribe` subscriptions.
 */
import { isObjectType } from 'graphql';
import type { AuthConfig } from './auth';
import { AppSyncConfigError } from '../errors';
import { Executor } from './execute';
import { limitRules } from './limits';
import { handleGraphQLHttp } from './http';
import type { RealtimeCounters } from './connection';
import { RealtimeEndpoint } from './realtime';
import { resolverKey, type ResolverDeps } from './resolvers';
import { buildAppSyncSchema, type AppSyncSchema } from './schema';
import { SubscriptionRegistry } from './subscriptions';
import type {
  AppSyncApiOptions,
  AppSyncMetrics,
  AuthMode,
  LocalAppSyncApi,
  ResolverConfig,
  SupportedAuthMode,
} from './types';

export type {
  AppSyncApiOptions,
  AppSyncIamAction,
  AppSyncMetrics,
  AuthMode,
  IamPrincipal,
  LambdaErrorTypeSource,
  LambdaResult,
  LocalAppSyncApi,
  ResolverConfig,
  SupportedAuthMode,
} from './types';
export type { AppSyncGraphQLError, AppSyncRequestError } from './error-format';
export type { DirectResolverEvent } from './resolvers';
export type { IamIdentity } from './auth';
export { buildAppSyncSchema, type AppSyncSchema } from './schema';
export { verifySigV4, type SignedRequest, type SigV4Outcome } from '../iam/sigv4';
export { createLocalCertificate, type LocalCertificate, type LocalCertificateOptions } from './tls';
export { GRAPHQL_PATH } from './http';
export { REALTIME_PATH, REALTIME_PROTOCOL } from './realtime';
export { MAX_REALTIME_MESSAGE_BYTES, MAX_SUBSCRIPTION_PAYLOAD_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION } from './limits';

const SUPPORTED_MODES: readonly AuthMode[] = ['API_KEY', 'AWS_IAM'];
const DEFAULT_KEEP_ALIVE_MS = 60_000;

function supportedModes(options: AppSyncApiOptions): Set<SupportedAuthMode> {
  const modes = new Set<SupportedAuthMode>();
  for (const mode of [options.defaultAuth, ...options.additionalAuth]) {
    if (mode !== 'API_KEY' && mode !== 'AWS_IAM') {
      throw new AppSyncConfigError(
        'UNSUPPORTED_AUTH_MODE',
        `API ${options.apiId} uses auth mode ${mode}, which the local AppSync endpoint does not support (supported: ${SUPPORTED_MODES.join(', ')}). ` +
          'Use API_KEY or AWS_IAM for local runs.',
      );
    }
    modes.add(mode);
  }
  return modes;
}

function resolverIndex(options: AppSyncApiOptions, appSchema: AppSyncSchema): Map<string, ResolverConfig> {
  const index = new Map<string, ResolverConfig>();
  for (const resolver of options.resolvers) {
    const key = resolverKey(resolver.typeName, resolver.fieldName);
    const type = appSchema.schema.getType(resolver.typeName);
    if (!isObjectType(type) || !(resolver.fieldName in type.getFields())) {
      throw new AppSyncConfigError(
        'INVALID_RESOLVER',
        `A resolver is attached to ${key}, which is not a field of an object type in the schema.`,
      );
    }
    if (index.has(key)) {
      throw new AppSyncConfigError(
        'INVALID_RESOLVER',
        `Two resolvers are attached to ${key}; AppSync allows one per field.`,
      );
    }
    if (resolver.kind === 'LAMBDA' && !resolver.functionArn.startsWith('arn:')) {
      throw new AppSyncConfigError(
        'INVALID_RESOLVER',
        `The resolver of ${key} needs a Lambda function ARN, got "${resolver.functionArn}".`,
      );
    }
    index.set(key, resolver);
  }
  return index;
}

/**
 * Creates a local AppSync API from its deployed configuration. Nothing listens yet: route HTTP
 * requests to `handleHttp` and attach the server for the real-time endpoint.
 *
 * @throws AppSyncConfigError when the schema doesn't build, an auth mode is not supported locally,
 * or a resolver names a field that doesn't exist.
 *
 * @example
 * ```ts
 * import * as http from 'node:http';
 *
 * const api = createAppSyncApi({
 *   schema, apiId: 'local', region: 'us-east-1', accountId: '000000000000',
 *   defaultAuth: 'API_KEY', additionalAuth: ['AWS_IAM'], apiKeys: ['da2-local'],
 *   iamPrincipals, resolvers, invokeLambda: (arn, event) => lambdaRunner.invoke(arn, event),
 * });
 * const server = http.createServer((req, res) => {
 *   const chunks: Buffer[] = [];
 *   req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
 *     void api.handleHttp(req, res, Buffer.concat(chunks)).then((handled) => {
 *       if (!handled) res.writeHead(404).end();
 *     });
 *   });
 * });
 * api.attachRealtime(server);
 * server.listen(4000, '127.0.0.1');
 * // clients: http://127.0.0.1:4000/graphql and ws://127.0.0.1:4000/graphql/realtime
 * ```
 */
export function createAppSyncApi(options: AppSyncApiOptions): LocalAppSyncApi {
  const modes = supportedModes(options);
  const appSchema = buildAppSyncSchema(options.schema, options.defaultAuth);
  const log = options.log ?? (() => undefined);
  const auth: AuthConfig = {
    modes,
    apiKeys: new Set(options.apiKeys),
    iamPrincipals: options.iamPrincipals,
    region: options.region,
  };
  const resolverDeps: ResolverDeps = {
    appSchema,
    resolvers: resolverIndex(options, appSchema),
    invokeLambda: options.invokeLambda,
    lambdaErrorType: options.lambdaErrorType ?? 'name',
    shouldPublish: options.shouldPublish ?? (() => true),
    validationErrorType: options.validationErrorType,
    region: options.region,
    accountId: options.accountId,
    apiId: options.apiId,
    log,
  };
  const registry = new SubscriptionRegistry();
  const rules = limitRules(
    {
      introspection: options.introspection ?? true,
      queryDepthLimit: options.queryDepthLimit ?? 0,
      resolverCountLimit: options.resolverCountLimit ?? 0,
    },
    (typeName, fieldName) => resolverDeps.resolvers.has(resolverKey(typeName, fieldName)),
  );
  const executor = new Executor(resolverDeps, registry, rules);
  const counters: RealtimeCounters = { messagesOut: 0, messagesIn: 0, connectionsOpened: 0, closedConnectionMs: 0 };
  let requests = 0;
  const realtime = new RealtimeEndpoint({
    auth,
    executor,
    resolverDeps,
    registry,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_MS,
    counters,
    acceptsHost: options.acceptsHost ?? (() => true),
    log,
  });
  const metrics: AppSyncMetrics = {
    get requests() {
      return requests;
    },
    get realtimeMessagesOut() {
      return counters.messagesOut;
    },
    get realtimeMessagesIn() {
      return counters.messagesIn;
    },
    get connectionsOpened() {
      return counters.connectionsOpened;
    },
    get connectionMinutes() {
      return (counters.closedConnectionMs + realtime.openConnectionMs) / 60_000;
    },
  };
  const httpDeps = { auth, executor, log, countRequest: () => (requests += 1) };
  return {
    handleHttp: (req, res, body) => handleGraphQLHttp(httpDeps, req, res, body),
    attachRealtime: (server) => realtime.attach(server),
    close: () => realtime.close(),
    metrics,
  };
}
