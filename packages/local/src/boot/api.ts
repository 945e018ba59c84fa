/**
 * AppSync: the one `AWS::AppSync::GraphQLApi` of the templates, with its inline schema, its auth modes,
 * its unit resolvers (AWS_LAMBDA data sources call the local functions, NONE ones answer their
 * arguments) and the principals that may sign requests. Served at `/graphql` and `/graphql/realtime`,
 * with the notifier faults (the notifier down; a notification not published).
 */
import { createAppSyncApi, type LocalAppSyncApi, type ResolverConfig } from '../appsync';
import type { StackContext } from '../cloudformation';
import { LocalCoreError } from '../errors';
import type { Closers } from './closers';
import { notifierIsDown, type Faults } from './faults';
import type { LocalFunctions } from './functions';
import type { JourneyProbes } from './journey-probes';
import type { LocalPrincipals } from './principals';
import { sendJson, type Route } from './router';
import { isLocalHost } from './server';
import type { LocalStack } from './stacks';
import type { BootSettings } from './types';

export interface ApiDeps {
  readonly settings: BootSettings;
  readonly principals: LocalPrincipals;
  readonly functions: LocalFunctions;
  readonly probes: JourneyProbes;
  readonly faults: Faults;
}

/** The API and its URL, or none when no template defines one. */
export function createApi(
  stacks: readonly LocalStack[],
  deps: ApiDeps,
  closers: Closers,
): { api: LocalAppSyncApi | undefined; graphqlUrl: string; apiKeyMode: boolean } {
  const found = stacks.flatMap(({ ctx }) => ctx.resourcesOfType('AWS::AppSync::GraphQLApi').map((id) => ({ ctx, id })));
  if (found.length > 1)
    throw new LocalCoreError(
      'MORE_THAN_ONE_API',
      'the local core serves one AppSync API; the stacks booted define more: name the stacks to boot (the `stacks` option)',
    );
  const [only] = found;
  if (only === undefined) return { api: undefined, graphqlUrl: '', apiKeyMode: false };
  const { settings } = deps;
  const config = appSyncConfig(only.ctx, only.id);
  const api = createAppSyncApi({
    ...config,
    region: settings.region,
    accountId: settings.accountId,
    apiKeys: [settings.apiKey],
    iamPrincipals: deps.principals.byAccessKey,
    acceptsHost: isLocalHost,
    invokeLambda: async (functionArn, event) => deps.functions.invoke(functionArn, event),
    shouldPublish: () => !deps.faults.inject('notificationDropped'),
    ...settings.appSync,
    log: (line, fields) => apiLog(line, fields, deps),
  });
  closers.add(async () => api.close());
  const apiKeyMode = [config.defaultAuth, ...config.additionalAuth].includes('API_KEY');
  return { api, graphqlUrl: String(only.ctx.getAtt(only.id, 'GraphQLUrl')), apiKeyMode };
}

/**
 * The largest GraphQL request body the local endpoint reads: 1 MiB. AppSync's quotas page was not
 * readable here for a request size; 1,048,576 is the longest GraphQL operation EventBridge's AppSync
 * target takes (API_AppSyncParameters), and the size AWS support gave for AppSync's own limit on a
 * resolver's transformation (awslabs/aws-mobile-appsync-sdk-js#124).
 */
export const APPSYNC_REQUEST_BYTES = 1024 * 1024;

/** `/graphql`: queries and mutations; a notification mutation gets its `fan-out` journey line. */
export function appSyncRoute(
  api: LocalAppSyncApi,
  { probes, principals, faults }: Pick<ApiDeps, 'probes' | 'principals' | 'faults'>,
): Route {
  return {
    accepts: ({ path }) => path === '/graphql',
    maxBodyBytes: APPSYNC_REQUEST_BYTES,
    handle: async ({ req, res, body }) => {
      if (notifierIsDown(faults, () => principals.signedByRole(req.headers.authorization))) {
        sendJson(res, 503, {
          errors: [{ errorType: 'ServiceUnavailableException', message: 'fault injected: AppSync is down' }],
        });
        return true;
      }
      await probes.graphql(body, async () => {
        await api.handleHttp(req, res, body);
      });
      return true;
    },
  };
}

/** Publications feed the fan-out line; a started subscription is shown; failures (or everything, verbose) too. */
function apiLog(line: string, fields: Record<string, unknown> | undefined, { settings, probes }: ApiDeps): void {
  if (line === 'appsync published') {
    probes.published(Number((fields as { delivered?: number } | undefined)?.delivered ?? 0));
  } else if (line === 'appsync publication dropped') {
    settings.write(`!! ${String(fields?.['mutation'] ?? '')}: not published to its subscriptions (fault injected)`);
  } else if (line === 'appsync subscription started') {
    const f = fields as { field?: string; filter?: unknown; mode?: string } | undefined;
    settings.write(
      `${''.padStart(12)}subscription started: ${f?.field ?? ''} ${JSON.stringify(f?.filter ?? {})} (${f?.mode ?? ''})`,
    );
  } else if (settings.verbose || /refused|failed|error/.test(line)) {
    settings.write(`${line} ${fields === undefined ? '' : JSON.stringify(fields)}`);
  }
}

/** The API's schema, auth modes and resolvers, from the template. */
function appSyncConfig(ctx: StackContext, apiId: string) {
  const props = ctx.resolveProperties(apiId);
  const schemaId = ctx
    .resourcesOfType('AWS::AppSync::GraphQLSchema')
    .find((id) => ctx.resolveProperties(id)['ApiId'] === ctx.getAtt(apiId, 'ApiId'));
  const schema = schemaId === undefined ? undefined : ctx.resolveProperties(schemaId)['Definition'];
  if (typeof schema !== 'string') {
    throw new LocalCoreError(
      'SCHEMA_NOT_INLINE',
      `the API ${apiId} has no inline schema Definition (DefinitionS3Location is not read locally)`,
    );
  }
  const additional = (props['AdditionalAuthenticationProviders'] as { AuthenticationType: string }[] | undefined) ?? [];
  return {
    schema,
    apiId: String(ctx.getAtt(apiId, 'ApiId')),
    defaultAuth: String(props['AuthenticationType']) as 'API_KEY' | 'AWS_IAM',
    additionalAuth: additional.map((p) => p.AuthenticationType as 'API_KEY' | 'AWS_IAM'),
    resolvers: resolversOf(ctx),
    introspection: props['IntrospectionConfig'] !== 'DISABLED',
    queryDepthLimit: Number(props['QueryDepthLimit'] ?? 0),
    resolverCountLimit: Number(props['ResolverCountLimit'] ?? 0),
  };
}

function resolversOf(ctx: StackContext): ResolverConfig[] {
  const dataSources = new Map<string, { type: string; functionArn?: string }>();
  for (const id of ctx.resourcesOfType('AWS::AppSync::DataSource')) {
    const ds = ctx.resolveProperties(id);
    dataSources.set(String(ds['Name']), {
      type: String(ds['Type']),
      functionArn: (ds['LambdaConfig'] as { LambdaFunctionArn?: string } | undefined)?.LambdaFunctionArn,
    });
  }
  return ctx.resourcesOfType('AWS::AppSync::Resolver').map((id) => {
    const r = ctx.resolveProperties(id);
    const typeName = String(r['TypeName']);
    const fieldName = String(r['FieldName']);
    if (r['Kind'] === 'PIPELINE')
      throw new LocalCoreError(
        'PIPELINE_RESOLVER',
        `resolver ${typeName}.${fieldName} is a pipeline resolver; the local core runs unit resolvers only`,
      );
    const ds = dataSources.get(String(r['DataSourceName']));
    if (ds?.type === 'AWS_LAMBDA' && ds.functionArn !== undefined)
      return { typeName, fieldName, kind: 'LAMBDA', functionArn: ds.functionArn };
    if (ds?.type === 'NONE') return { typeName, fieldName, kind: 'NONE' };
    throw new LocalCoreError(
      'UNSUPPORTED_DATA_SOURCE',
      `resolver ${typeName}.${fieldName} uses data source ${String(r['DataSourceName'])} of type ${ds?.type ?? 'unknown'}; locally only AWS_LAMBDA and NONE are served`,
    );
  });
}
