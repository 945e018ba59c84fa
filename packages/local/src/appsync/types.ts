/**
 * Public types of the local AppSync GraphQL endpoint.
 *
 * The boot code builds an {@link AppSyncApiOptions} from the CloudFormation template
 * (`AWS::AppSync::GraphQLApi`, `GraphQLSchema`, `ApiKey`, `Resolver`, `DataSource`) and the
 * local IAM principals, then calls `createAppSyncApi`.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import type { IamPrincipal } from '../iam/principal';

/** AppSync's authorization modes (`AuthenticationType`). Only `API_KEY` and `AWS_IAM` run locally. */
export type AuthMode = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** The authorization modes this endpoint can check. */
export type SupportedAuthMode = 'API_KEY' | 'AWS_IAM';

/** The only IAM action AppSync checks for GraphQL operations. */
export type AppSyncIamAction = 'appsync:GraphQL';

/** A set of SigV4 credentials the endpoint accepts; each root field needs `appsync:GraphQL` on its ARN. */
export type { IamPrincipal } from '../iam/principal';

/** The resolver attached to one `typeName.fieldName`. */
export type ResolverConfig =
  | { readonly typeName: string; readonly fieldName: string; readonly kind: 'LAMBDA'; readonly functionArn: string }
  | { readonly typeName: string; readonly fieldName: string; readonly kind: 'NONE' };

/** What a synchronous Lambda invocation gave back. */
export type LambdaResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

/** Where the `errorType` of a GraphQL error raised by a failed Lambda comes from. */
export type LambdaErrorTypeSource = 'name' | 'Lambda:Unhandled';

/** Everything `createAppSyncApi` needs; all of it comes from the deployed template. */
export interface AppSyncApiOptions {
  /**
   * The schema exactly as deployed: SDL that uses AppSync's directives (`@aws_iam`, `@aws_api_key`,
   * `@aws_subscribe`, …) and scalars (`AWSDateTime`, `AWSJSON`, …) without declaring them.
   */
  readonly schema: string;
  readonly apiId: string;
  /** For example `us-east-1`; SigV4 signatures must be scoped to it. */
  readonly region: string;
  /** For example `000000000000`; used in the resource ARNs given to {@link IamPrincipal.allows}. */
  readonly accountId: string;
  readonly defaultAuth: AuthMode;
  readonly additionalAuth: readonly AuthMode[];
  /** Accepted `x-api-key` values. */
  readonly apiKeys: readonly string[];
  /** SigV4 credentials accepted for `AWS_IAM`, by access key id. */
  readonly iamPrincipals: ReadonlyMap<string, IamPrincipal>;
  /** One entry per `typeName.fieldName` that has a resolver; other fields read the parent object's property. */
  readonly resolvers: readonly ResolverConfig[];
  /** Invokes a Lambda function synchronously (`RequestResponse`). A rejection counts as a failed invocation. */
  readonly invokeLambda: (functionArn: string, event: unknown) => Promise<LambdaResult>;
  /** Receives one line per request, subscription and failure. @default no logging */
  readonly log?: (line: string, fields?: Record<string, unknown>) => void;
  /**
   * `errorType` reported for a failed Lambda: the error's `name` (`errorType` of the invocation),
   * or the fixed `Lambda:Unhandled`. AWS has been seen doing both (see the package README).
   * @default 'name'
   */
  readonly lambdaErrorType?: LambdaErrorTypeSource;
  /** Milliseconds between two `ka` messages on a real-time connection. @default 60000 */
  readonly keepAliveIntervalMs?: number;
  /** The API's `IntrospectionConfig`: `false` refuses `__schema` and `__type`. @default true (AppSync's default, ENABLED) */
  readonly introspection?: boolean;
  /** The API's `QueryDepthLimit`: the most nested levels an operation may select. @default no limit (AppSync's 0) */
  readonly queryDepthLimit?: number;
  /** The API's `ResolverCountLimit`: the most resolvers one operation may run. @default no limit (AppSync's 0) */
  readonly resolverCountLimit?: number;
  /**
   * Whether a real-time connection's `Host` header is served (the HTTP routes are checked by their
   * server). @default every host
   */
  readonly acceptsHost?: (host: string | undefined) => boolean;
  /**
   * The `errorType` of parse and validation errors (a field that does not exist, a variable that does
   * not coerce). AppSync's published captures show none; graphql-java, which AppSync runs, classifies
   * them `ValidationError`. Unconfirmed which AppSync sends today: set it to test a client against
   * the other reading. @default none
   */
  readonly validationErrorType?: string;
  /**
   * Decides whether a mutation field's result is published to its subscriptions; `false` drops the
   * publication (the mutation is still answered). For fault injection. @default always published
   */
  readonly shouldPublish?: (mutationField: string, payload: unknown) => boolean;
}

/** Usage counters, for the cost benchmark. */
export interface AppSyncMetrics {
  /** POST requests received on `/graphql`, refused ones included (AppSync bills query and mutation operations). */
  readonly requests: number;
  /** Real-time messages sent, `ka` excluded. */
  readonly realtimeMessagesOut: number;
  /** Real-time messages received. */
  readonly realtimeMessagesIn: number;
  /** WebSocket connections accepted. */
  readonly connectionsOpened: number;
  /** Connection time in minutes, closed connections plus the ones still open (AppSync bills per connection-minute). */
  readonly connectionMinutes: number;
}

/** A running local AppSync API: plug {@link LocalAppSyncApi.handleHttp} and {@link LocalAppSyncApi.attachRealtime} into a server. */
export interface LocalAppSyncApi {
  /**
   * Handles `/graphql` (POST, and OPTIONS for CORS). Resolves `false` without touching `res` when the
   * path is something else, so the caller can route it elsewhere.
   */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<boolean>;
  /** Serves the real-time protocol on upgrades to `/graphql/realtime`. */
  attachRealtime(server: http.Server | https.Server): void;
  /** Closes every WebSocket and timer. The HTTP server itself is the caller's to close. */
  close(): Promise<void>;
  readonly metrics: AppSyncMetrics;
}
