/**
 * Boots a synthesized CDK app (its cloud assembly, `cdk.out`) on this machine. There is no second
 * description of the wiring: tables, functions (their bundles, environment, timeout, role), bus
 * rules and targets, queues, state machines, the AppSync schema, resolvers and auth all come from
 * the templates. One HTTP server on 127.0.0.1 serves AppSync (`/graphql`, `/graphql/realtime`) and
 * the AWS APIs the functions call (EventBridge, Step Functions, and DynamoDB, forwarded to dynalite);
 * functions reach them through `AWS_ENDPOINT_URL_*` only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAppSyncApi, createLocalCertificate, type LocalAppSyncApi, type ResolverConfig } from '../appsync';
import {
  collectRolePolicies,
  createStackContext,
  eventBusNameOf,
  functionAssetPath,
  loadCloudAssembly,
  type StackContext,
} from '../cloudformation';
import { ensureTables, startDynamoDb, tablePropsToCreateTableInput, type LocalDynamoDb } from '../dynamodb';
import { createLocalEventBus, LocalQueue, type LocalEventBus, type LocalRule } from '../eventbridge';
import { createLocalFunction, type InvokeResult, type LocalFunction } from '../lambda';
import { createLocalStepFunctions, type LocalStepFunctions } from '../stepfunctions';
import { frontEndPrincipal, newSecret, roleAccessKeyId, rolePrincipal, type LocalCredentials } from './iam';
import { createJourney } from './journey';
import { LocalCoreError } from './errors';

export interface BootOptions {
  /** The cloud assembly folder: `apps/core/cdk.out`. */
  readonly assemblyDir: string;
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
  readonly apiKey: string;
  readonly region: string;
  /** IAM credentials of the local front-end server principal (may call every non-internal field). */
  readonly frontEndCredentials: LocalCredentials;
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

const DEFAULT_API_KEY = 'da2-localdevelopmentkey0000000000';

/**
 * @example
 * const core = await bootLocalCore({ assemblyDir: 'apps/core/cdk.out', dataDir: '.local' });
 * console.log(core.graphqlUrl, core.apiKey);
 * await core.stop();
 */
export async function bootLocalCore(options: BootOptions): Promise<LocalCore> {
  const started = performance.now();
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const write = options.log ?? ((line: string) => console.log(line));
  const journey = createJourney(write, { verbose: options.verbose });
  const assembly = loadCloudAssembly(options.assemblyDir);
  if (assembly.stacks.length === 0)
    throw new LocalCoreError(`no stack in the cloud assembly ${options.assemblyDir}: run the synth first`);

  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => write(`stop: ${String(error)}`));
    closers.length = 0;
  };
  try {
    const dynamo = await startDynamoDb({
      port: 0,
      dataDir: options.dataDir === undefined ? undefined : join(options.dataDir, 'dynamodb'),
      region,
      accountId,
    });
    closers.push(() => dynamo.close());
    const dynamoMetrics = { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 };

    // The HTTP(S) server first: its URL appears in resolved template values (GraphQLUrl, queue URLs).
    const certificate = options.tls === true ? await createLocalCertificate() : undefined;
    // The functions trust the certificate through this file, so it exists before any of them starts.
    let caFile: string | undefined;
    if (certificate !== undefined) {
      const tlsDir =
        options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'local-core-tls-')) : join(options.dataDir, 'tls');
      mkdirSync(tlsDir, { recursive: true });
      caFile = join(tlsDir, 'ca.pem');
      writeFileSync(caFile, certificate.cert);
      if (options.dataDir === undefined) closers.push(async () => rmSync(tlsDir, { recursive: true, force: true }));
    }
    const handlers: { handle?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> } = {};
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const handle = handlers.handle;
        if (handle === undefined) return sendJson(res, 503, { message: 'the local core is starting' });
        handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
          write(`local server: ${String(error)}`);
          if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: String(error) });
        });
      });
    };
    const server: Server =
      certificate === undefined
        ? createHttpServer(onRequest)
        : createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest);
    await listen(server, options.port ?? 4000);
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const baseUrl = `${certificate === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;

    const queues = new Map<string, LocalQueue>();
    const functions = new Map<string, { fn: LocalFunction; path: string; memoryMb: number }>();
    const stateMachines: {
      arn: string;
      name: string;
      definition: Record<string, unknown>;
      type: 'STANDARD' | 'EXPRESS';
    }[] = [];
    const rules: LocalRule[] = [];
    const buses: string[] = [];
    const principals = new Map<string, ReturnType<typeof rolePrincipal>>();
    let api: LocalAppSyncApi | undefined;
    let graphqlUrl = '';
    const frontEndCredentials: LocalCredentials = { accessKeyId: 'AKIALOCALFRONTEND000', secretAccessKey: newSecret() };
    const lastPublish = { delivered: 0 };
    const logBytes = { value: 0 };
    const reservedGrants: ((resourceArn: string) => boolean)[] = [];

    for (const stack of assembly.stacks) {
      const ctx = createStackContext({
        template: stack.template,
        stackName: stack.stackName,
        region,
        accountId,
        endpoints: { appSync: baseUrl, sqs: baseUrl, apiKeys: apiKeysOf(stack.template, apiKey) },
      });

      // DynamoDB tables, created in dynalite unless they exist (restarts keep the data).
      const tables = ctx
        .resourcesOfType('AWS::DynamoDB::Table')
        .map((id) => tablePropsToCreateTableInput(ctx.resolveProperties(id), String(ctx.ref(id))));
      await ensureTables(dynamo.endpoint, tables);

      // IAM: one access key per role; its principal carries the role's policies.
      const policies = collectRolePolicies(stack.template, ctx.resolve);
      const credentialsByRole = new Map<string, LocalCredentials>();
      for (const roleId of ctx.resourcesOfType('AWS::IAM::Role')) {
        const credentials = {
          accessKeyId: roleAccessKeyId(`${stack.stackName}/${roleId}`),
          secretAccessKey: newSecret(),
        };
        credentialsByRole.set(roleId, credentials);
        const principal = rolePrincipal({
          roleLogicalId: roleId,
          roleName: String(ctx.ref(roleId)),
          accountId,
          policies: policies[roleId],
          credentials,
        });
        principals.set(credentials.accessKeyId, principal);
        // Fields the template grants to one of its roles (appsync:GraphQL) are that role's: internal mutations.
        reservedGrants.push((resourceArn) => principal.allows('appsync:GraphQL', resourceArn));
      }

      // Dead-letter (and other) queues.
      for (const id of ctx.resourcesOfType('AWS::SQS::Queue')) {
        const arn = String(ctx.getAtt(id, 'Arn'));
        const name = String(ctx.getAtt(id, 'QueueName'));
        queues.set(
          arn,
          new LocalQueue({
            arn,
            filePath: options.dataDir === undefined ? undefined : join(options.dataDir, 'queues', `${name}.jsonl`),
          }),
        );
      }

      // Lambda functions: the bundle from cdk.out, the template's environment, timeout and role.
      const asyncConfig = eventInvokeConfigs(ctx);
      for (const id of ctx.resourcesOfType('AWS::Lambda::Function')) {
        const resource = stack.template.Resources?.[id];
        if (resource === undefined) continue;
        const props = ctx.resolveProperties(id);
        const arn = String(ctx.getAtt(id, 'Arn'));
        const name = String(ctx.ref(id));
        const path =
          String(resource.Metadata?.['aws:cdk:path'] ?? id)
            .split('/')
            .slice(1, -1)
            .join('/') || id;
        const roleId = logicalIdOf(stack.template.Resources?.[id]?.Properties?.['Role']);
        const credentials = roleId === undefined ? undefined : credentialsByRole.get(roleId);
        if (credentials === undefined)
          throw new LocalCoreError(`function ${path} has no role of this template; cannot give it credentials`);
        const environment = stringRecord((props['Environment'] as { Variables?: unknown } | undefined)?.Variables);
        const memoryMb = Number(props['MemorySize'] ?? 128);
        const retries = asyncConfig.get(name)?.maximumRetryAttempts ?? 2;
        const deadLetterArn = (props['DeadLetterConfig'] as { TargetArn?: string } | undefined)?.TargetArn;
        const fn = createLocalFunction({
          name,
          arn,
          assetDir: functionAssetPath(stack.assemblyDir, resource, id),
          handler: String(props['Handler']),
          runtime: String(props['Runtime']),
          timeoutSeconds: Number(props['Timeout'] ?? 3),
          memoryMb,
          environment,
          region,
          runtimeEnvironment: {
            AWS_ACCESS_KEY_ID: credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
            AWS_ENDPOINT_URL_DYNAMODB: baseUrl,
            AWS_ENDPOINT_URL_EVENTBRIDGE: baseUrl,
            AWS_ENDPOINT_URL_SFN: baseUrl,
            ...(caFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: caFile }),
          },
          asyncRetryDelaysMs: (options.asyncRetryDelaysMs ?? [1000, 2000]).slice(0, retries),
          onAsyncFailure: (failure) => {
            write(
              `!! ${path}: async invocation failed ${failure.attempts} time(s): ${failure.error.errorType}: ${failure.error.errorMessage}`,
            );
            const queue = deadLetterArn === undefined ? undefined : queues.get(deadLetterArn);
            if (queue === undefined) {
              write(
                `!! ${path}: no dead-letter queue; the event is dropped: ${JSON.stringify(failure.event).slice(0, 300)}`,
              );
              return;
            }
            void queue.send({
              body: JSON.stringify(failure.event),
              attributes: {
                RequestID: 'local',
                ErrorCode: '200',
                ErrorMessage: `${failure.error.errorType}: ${failure.error.errorMessage}`,
              },
            });
          },
          log: (line) => {
            const text = line.replace(/^\[[^\]]*\] ?/, '');
            logBytes.value += Buffer.byteLength(text) + 1;
            if (/^cold start /.test(text)) write(`${''.padStart(12)}${path}: ${text}`);
            else journey.functionLine(path, text);
          },
        });
        closers.push(() => fn.close());
        functions.set(arn, { fn, path, memoryMb });
      }

      for (const id of ctx.resourcesOfType('AWS::Events::EventBus')) buses.push(String(ctx.ref(id)));
      for (const id of ctx.resourcesOfType('AWS::Events::Rule')) {
        const schedule = ctx.resolveProperties(id)['ScheduleExpression'];
        if (schedule !== undefined && ctx.resolveProperties(id)['EventPattern'] === undefined) {
          write(
            `rule ${id} runs on a schedule (${String(schedule)}); the local core does not run schedules and leaves it out`,
          );
          continue;
        }
        rules.push(ruleOf(ctx, id));
      }

      for (const id of ctx.resourcesOfType('AWS::StepFunctions::StateMachine')) {
        const props = ctx.resolveProperties(id);
        const substitutions = (props['DefinitionSubstitutions'] ?? {}) as Record<string, unknown>;
        const definition =
          typeof props['DefinitionString'] === 'string'
            ? (JSON.parse(
                props['DefinitionString'].replace(/\$\{([^}]+)\}/g, (text, key: string) =>
                  key in substitutions ? String(substitutions[key]) : text,
                ),
              ) as Record<string, unknown>)
            : (props['Definition'] as Record<string, unknown>);
        const type = props['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
        stateMachines.push({ arn: String(ctx.ref(id)), name: String(ctx.getAtt(id, 'Name')), definition, type });
      }

      const apis = ctx.resourcesOfType('AWS::AppSync::GraphQLApi');
      if (apis.length > 1 || (apis.length === 1 && api !== undefined)) {
        throw new LocalCoreError('the local core serves one AppSync API; this assembly defines more');
      }
      const apiId = apis[0];
      if (apiId !== undefined) {
        graphqlUrl = String(ctx.getAtt(apiId, 'GraphQLUrl'));
        api = createAppSyncApi({
          ...appSyncConfig(ctx, apiId),
          region,
          accountId,
          apiKeys: [apiKey],
          iamPrincipals: principals,
          invokeLambda: async (functionArn, event) => invoke(functions, functionArn, event),
          log: (line, fields) => {
            if (line === 'appsync published')
              lastPublish.delivered = Number((fields as { delivered?: number } | undefined)?.delivered ?? 0);
            else if (line === 'appsync subscription started') {
              const f = fields as { field?: string; filter?: unknown; mode?: string } | undefined;
              write(
                `${''.padStart(12)}subscription started: ${f?.field ?? ''} ${JSON.stringify(f?.filter ?? {})} (${f?.mode ?? ''})`,
              );
            } else if (options.verbose === true || /refused|failed|error/.test(line))
              write(`${line} ${fields === undefined ? '' : JSON.stringify(fields)}`);
          },
        });
        closers.push(async () => api?.close());
      }
    }
    principals.set(
      frontEndCredentials.accessKeyId,
      frontEndPrincipal(accountId, frontEndCredentials, (arn) => reservedGrants.some((reserved) => reserved(arn))),
    );

    const sfn: LocalStepFunctions = createLocalStepFunctions({
      region,
      accountId,
      stateMachines,
      invokeLambda: async (functionArn, payload) => invoke(functions, functionArn, payload),
      log: (line) => write(`states: ${line}`),
    });
    closers.push(() => sfn.close());

    const busAcceptedAt = new Map<string, number>();
    const bus: LocalEventBus = createLocalEventBus({
      region,
      accountId,
      buses,
      rules,
      retryBaseMs: options.busRetryBaseMs ?? 100,
      deliver: async (targetArn, input, context) => {
        const correlationId = correlationOfInput(input) ?? context.eventId;
        const target = functions.get(targetArn);
        const acceptedAt = busAcceptedAt.get(correlationId);
        if (target !== undefined) {
          await target.fn.invokeAsync(input);
          journey.record({
            correlationId,
            step: 'rule',
            text: `${context.ruleName} → ${target.path} (async)`,
            durationMs: acceptedAt === undefined ? undefined : performance.now() - acceptedAt,
          });
          return;
        }
        if (stateMachines.some((machine) => machine.arn === targetArn)) {
          sfn.startExecution(targetArn, input);
          journey.record({
            correlationId,
            step: 'rule',
            text: `${context.ruleName} → ${targetArn.split(':').at(-1) ?? ''} (execution)`,
          });
          return;
        }
        const queue = queues.get(targetArn);
        if (queue !== undefined) {
          await queue.send({ body: JSON.stringify(input), attributes: {} });
          return;
        }
        throw Object.assign(new Error(`no local resource for target ${targetArn}`), {
          code: 'NO_RESOURCE',
          retryable: false,
        });
      },
      deadLetter: async (queueArn, message) => {
        const queue = queues.get(queueArn);
        if (queue === undefined) throw new LocalCoreError(`dead-letter queue ${queueArn} is not in the template`);
        await queue.send(message);
        write(
          `!! dead letter → ${queueArn.split(':').at(-1) ?? queueArn}: ${message.attributes['ERROR_CODE'] ?? ''} ${message.attributes['ERROR_MESSAGE'] ?? ''}`,
        );
      },
      log: (line, fields) => {
        const level = fields?.['level'];
        if (level === 'warn' || level === 'error') write(`${line} ${JSON.stringify({ ...fields, level: undefined })}`);
      },
    });
    closers.push(() => bus.close());

    handlers.handle = async (req, res, body) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/graphql' && api !== undefined) {
        const notice = notificationOf(body);
        const begun = performance.now();
        lastPublish.delivered = 0;
        await api.handleHttp(req, res, body);
        if (notice !== undefined) {
          journey.record({
            correlationId: journey.correlationOf(notice.commandId) ?? notice.commandId,
            step: 'fan-out',
            text: `${notice.field} ${notice.status} → ${lastPublish.delivered} subscription(s)`,
            durationMs: performance.now() - begun,
          });
        }
        return;
      }
      if (target.startsWith('DynamoDB_20120810.'))
        return forwardToDynamo(dynamo, req, res, body, target, dynamoMetrics);
      if (target.startsWith('AWSEvents.')) {
        if (target === 'AWSEvents.PutEvents') {
          for (const entry of entriesOf(body)) {
            busAcceptedAt.set(entry.correlationId, performance.now());
            journey.record({
              correlationId: entry.correlationId,
              step: 'bus',
              text: `PutEvents ${entry.source} ${entry.detailType}`,
            });
          }
        }
        if (await bus.handleHttp(req, res, body)) return;
      }
      if (target.startsWith('AWSStepFunctions.') && (await sfn.handleHttp(req, res, body))) return;
      sendJson(res, 404, {
        __type: 'UnknownOperationException',
        message: `the local core does not serve ${req.method ?? ''} ${path} ${target}`,
      });
    };
    if (api !== undefined) api.attachRealtime(server);

    const realtimeUrl = `${certificate === undefined ? 'ws' : 'wss'}://127.0.0.1:${port}/graphql/realtime`;
    if (options.dataDir !== undefined) {
      mkdirSync(options.dataDir, { recursive: true });
      writeFileSync(
        join(options.dataDir, 'endpoint.json'),
        `${JSON.stringify({ graphqlUrl, realtimeUrl, apiKey, region, frontEndCredentials }, null, 2)}\n`,
      );
    }

    const metrics = (): LocalCoreMetrics => {
      const perFunction: LocalCoreMetrics['functions'] = {};
      for (const { fn, path, memoryMb } of functions.values()) {
        perFunction[path] = {
          invocations: fn.metrics.invocations,
          coldStarts: fn.metrics.coldStarts,
          billedMs: fn.metrics.billedMs,
          memoryMb,
        };
      }
      const all = Object.values(perFunction);
      return {
        appSyncRequests: api?.metrics.requests ?? 0,
        realtimeMessagesOut: api?.metrics.realtimeMessagesOut ?? 0,
        realtimeMessagesIn: api?.metrics.realtimeMessagesIn ?? 0,
        realtimeConnectionMinutes: api?.metrics.connectionMinutes ?? 0,
        putEventsCalls: bus.metrics.putEventsCalls,
        busEvents: bus.metrics.entries,
        busBilledEvents: bus.metrics.billedEventChunks,
        busDeliveries: bus.metrics.deliveries,
        dynamoReadRequests: dynamoMetrics.readRequests,
        dynamoWriteRequests: dynamoMetrics.writeRequests,
        dynamoReadUnits: dynamoMetrics.readUnits,
        dynamoWriteUnits: dynamoMetrics.writeUnits,
        lambdaInvocations: all.reduce((sum, f) => sum + f.invocations, 0),
        lambdaColdStarts: all.reduce((sum, f) => sum + f.coldStarts, 0),
        lambdaBilledMs: all.reduce((sum, f) => sum + f.billedMs, 0),
        lambdaLogBytes: logBytes.value,
        functions: perFunction,
      };
    };

    return {
      endpoint: baseUrl,
      graphqlUrl,
      realtimeUrl,
      apiKey,
      region,
      frontEndCredentials,
      certificatePem: certificate?.cert,
      bootMs: performance.now() - started,
      queues: new Map([...queues.values()].map((queue) => [queue.arn.split(':').at(-1) ?? queue.arn, queue])),
      metrics,
      idle: async () => {
        for (let round = 0; round < 100; round++) {
          await bus.idle();
          await Promise.all([...functions.values()].map(({ fn }) => fn.drain()));
          await sfn.idle();
          if (await settled(bus, functions)) return;
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** True when, after a turn of the event loop, nothing new started. */
async function settled(bus: LocalEventBus, functions: Map<string, { fn: LocalFunction }>): Promise<boolean> {
  const before =
    bus.metrics.deliveries + [...functions.values()].reduce((sum, { fn }) => sum + fn.metrics.invocations, 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const after =
    bus.metrics.deliveries + [...functions.values()].reduce((sum, { fn }) => sum + fn.metrics.invocations, 0);
  return before === after;
}

async function invoke(
  functions: Map<string, { fn: LocalFunction }>,
  functionArn: string,
  event: unknown,
): Promise<InvokeResult> {
  const target = functions.get(functionArn.replace(/:(\$LATEST|\d+)$/, ''));
  if (target === undefined) {
    return { ok: false, errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionArn}` };
  }
  return target.fn.invoke(event);
}

function appSyncConfig(ctx: StackContext, apiId: string) {
  const props = ctx.resolveProperties(apiId);
  const schemaId = ctx
    .resourcesOfType('AWS::AppSync::GraphQLSchema')
    .find((id) => ctx.resolveProperties(id)['ApiId'] === ctx.getAtt(apiId, 'ApiId'));
  const schema = schemaId === undefined ? undefined : ctx.resolveProperties(schemaId)['Definition'];
  if (typeof schema !== 'string') {
    throw new LocalCoreError(
      `the API ${apiId} has no inline schema Definition (DefinitionS3Location is not read locally)`,
    );
  }
  const dataSources = new Map<string, { type: string; functionArn?: string }>();
  for (const id of ctx.resourcesOfType('AWS::AppSync::DataSource')) {
    const ds = ctx.resolveProperties(id);
    dataSources.set(String(ds['Name']), {
      type: String(ds['Type']),
      functionArn: (ds['LambdaConfig'] as { LambdaFunctionArn?: string } | undefined)?.LambdaFunctionArn,
    });
  }
  const resolvers: ResolverConfig[] = ctx.resourcesOfType('AWS::AppSync::Resolver').map((id) => {
    const r = ctx.resolveProperties(id);
    const typeName = String(r['TypeName']);
    const fieldName = String(r['FieldName']);
    if (r['Kind'] === 'PIPELINE')
      throw new LocalCoreError(
        `resolver ${typeName}.${fieldName} is a pipeline resolver; the local core runs unit resolvers only`,
      );
    const ds = dataSources.get(String(r['DataSourceName']));
    if (ds?.type === 'AWS_LAMBDA' && ds.functionArn !== undefined)
      return { typeName, fieldName, kind: 'LAMBDA', functionArn: ds.functionArn };
    if (ds?.type === 'NONE') return { typeName, fieldName, kind: 'NONE' };
    throw new LocalCoreError(
      `resolver ${typeName}.${fieldName} uses data source ${String(r['DataSourceName'])} of type ${ds?.type ?? 'unknown'}; locally only AWS_LAMBDA and NONE are served`,
    );
  });
  const additional = (props['AdditionalAuthenticationProviders'] as { AuthenticationType: string }[] | undefined) ?? [];
  return {
    schema,
    apiId: String(ctx.getAtt(apiId, 'ApiId')),
    defaultAuth: String(props['AuthenticationType']) as 'API_KEY' | 'AWS_IAM',
    additionalAuth: additional.map((p) => p.AuthenticationType as 'API_KEY' | 'AWS_IAM'),
    resolvers,
  };
}

function ruleOf(ctx: StackContext, id: string): LocalRule {
  const props = ctx.resolveProperties(id);
  const ref = String(ctx.ref(id));
  const targets = (props['Targets'] as Record<string, unknown>[] | undefined) ?? [];
  return {
    name: ref.includes('|') ? (ref.split('|')[1] ?? ref) : ref,
    arn: String(ctx.getAtt(id, 'Arn')),
    eventBusName: eventBusNameOf(String(props['EventBusName'] ?? 'default')),
    eventPattern: eventPatternOf(props['EventPattern'], id),
    state: props['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targets: targets.map((t) => {
      const transformer = t['InputTransformer'] as
        { InputPathsMap?: Record<string, string>; InputTemplate: string } | undefined;
      const retry = t['RetryPolicy'] as
        { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
      return {
        id: String(t['Id']),
        arn: String(t['Arn']),
        input: t['Input'] as string | undefined,
        inputPath: t['InputPath'] as string | undefined,
        inputTransformer:
          transformer === undefined
            ? undefined
            : { inputPathsMap: transformer.InputPathsMap, inputTemplate: transformer.InputTemplate },
        retryPolicy:
          retry === undefined
            ? undefined
            : {
                maximumRetryAttempts: retry.MaximumRetryAttempts,
                maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds,
              },
        deadLetterArn: (t['DeadLetterConfig'] as { Arn?: string } | undefined)?.Arn,
      };
    }),
  };
}

/** A rule's `EventPattern`: CloudFormation takes a JSON object or its text. */
function eventPatternOf(value: unknown, ruleId: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new LocalCoreError(`rule ${ruleId}: EventPattern is a string that is not JSON (${String(error)})`);
  }
}

/** Lambda async settings by function name, from AWS::Lambda::EventInvokeConfig. */
function eventInvokeConfigs(ctx: StackContext): Map<string, { maximumRetryAttempts?: number }> {
  const configs = new Map<string, { maximumRetryAttempts?: number }>();
  for (const id of ctx.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
    const props = ctx.resolveProperties(id);
    configs.set(String(props['FunctionName']), {
      maximumRetryAttempts: props['MaximumRetryAttempts'] as number | undefined,
    });
  }
  return configs;
}

function apiKeysOf(template: { Resources?: Record<string, { Type: string }> }, apiKey: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources ?? {}))
    if (resource.Type === 'AWS::AppSync::ApiKey') keys[id] = apiKey;
  return keys;
}

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

function correlationOfInput(input: unknown): string | undefined {
  const detail = (input as { detail?: { correlationId?: unknown } } | undefined)?.detail;
  return typeof detail?.correlationId === 'string' ? detail.correlationId : undefined;
}

function entriesOf(body: Buffer): { correlationId: string; source: string; detailType: string }[] {
  try {
    const request = JSON.parse(body.toString('utf8')) as {
      Entries?: { Source?: string; DetailType?: string; Detail?: string }[];
    };
    return (request.Entries ?? []).map((entry) => {
      const detail = JSON.parse(entry.Detail ?? '{}') as { correlationId?: unknown };
      return {
        correlationId: typeof detail.correlationId === 'string' ? detail.correlationId : 'no-correlation',
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
      };
    });
  } catch {
    return [];
  }
}

/** A notification mutation (its `input` has `commandId` and `status`), for the fan-out journey line. */
function notificationOf(body: Buffer): { field: string; commandId: string; status: string } | undefined {
  try {
    const request = JSON.parse(body.toString('utf8')) as {
      query?: string;
      variables?: { input?: { commandId?: unknown; status?: unknown } };
    };
    const input = request.variables?.input;
    const field = /mutation[^{]*\{\s*(\w+)/.exec(request.query ?? '')?.[1];
    if (field === undefined || typeof input?.commandId !== 'string' || typeof input.status !== 'string')
      return undefined;
    return { field, commandId: input.commandId, status: input.status };
  } catch {
    return undefined;
  }
}

/** Forwards a DynamoDB API call to dynalite and counts requests and the capacity units it reports. */
async function forwardToDynamo(
  dynamo: LocalDynamoDb,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  target: string,
  metrics: { readRequests: number; writeRequests: number; readUnits: number; writeUnits: number },
): Promise<void> {
  const operation = target.split('.')[1] ?? '';
  const isWrite = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/.test(operation);
  const isRead = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)$/.test(operation);
  const url = new URL(dynamo.endpoint);
  await new Promise<void>((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: { ...req.headers, host: url.host, 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = Buffer.concat(chunks);
          if (isRead) metrics.readRequests += 1;
          if (isWrite) metrics.writeRequests += 1;
          try {
            const parsed = JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: { CapacityUnits?: number } };
            // DynamoDB bills at least one unit per request (a read of nothing included); dynalite may report 0.
            const units = Math.max(parsed.ConsumedCapacity?.CapacityUnits ?? 0, 1);
            if (isRead) metrics.readUnits += units;
            if (isWrite) metrics.writeUnits += units;
          } catch {
            // not JSON: nothing to count
          }
          res.writeHead(response.statusCode ?? 500, response.headers);
          res.end(answer);
          resolve();
        });
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' ? new LocalCoreError(`port ${port} is in use: set PORT to another one`) : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
