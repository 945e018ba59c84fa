/**
 * Boots a synthesized CDK app (its cloud assembly, `cdk.out`) on this machine. There is no second
 * description of the wiring: tables, functions (their bundles, environment, timeout, role), bus
 * rules and targets, queues, state machines, the AppSync schema, resolvers and auth all come from
 * the templates. One HTTP server on 127.0.0.1 serves AppSync (`/graphql`, `/graphql/realtime`) and
 * the AWS APIs the functions call (EventBridge, Step Functions, and DynamoDB, forwarded to dynalite);
 * functions reach them through `AWS_ENDPOINT_URL_*` only. Every route verifies SigV4 and evaluates
 * the caller's policies from the template (and the resource's policy), as AWS would.
 *
 * Each resource type has its module in this folder; `bootLocalCore` starts them in dependency order.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDb } from '../dynamodb';
import { appSyncRoute, createApi } from './api';
import { resourcePolicyLookup, type AwsAuth } from './aws-auth';
import { Closers } from './closers';
import { dynamoDbRoute } from './dynamodb-proxy';
import { writeEndpointFile } from './endpoint-file';
import { createFunctions } from './functions';
import { waitForIdle } from './idle';
import { createJourney } from './journey';
import { createJourneyProbes } from './journey-probes';
import { collectMetrics } from './metrics';
import { createPrincipals } from './principals';
import { createQueues, queuesByName } from './queues';
import { createRouter, type Route } from './router';
import { eventBridgeRoute, readRules, startEventBus } from './rules';
import { startServer } from './server';
import { localStacks, readStacks } from './stacks';
import { readStateMachines, startStepFunctions, stepFunctionsRoute } from './state-machines';
import { createTables } from './tables';
import { settingsOf, type BootOptions, type LocalCore } from './types';

export type { BootOptions, LocalCore, LocalCoreMetrics } from './types';

/**
 * @example
 * const core = await bootLocalCore({ assemblyDir: 'apps/core/cdk.out', dataDir: '.local' });
 * console.log(core.graphqlUrl, core.apiKey);
 * await core.stop();
 */
export async function bootLocalCore(options: BootOptions): Promise<LocalCore> {
  const started = performance.now();
  const settings = settingsOf(options);
  const assembly = readStacks(options.assemblyDir, options.stacks);
  const closers = new Closers(settings.write);
  try {
    const dynamoDataDir = settings.dataDir === undefined ? undefined : join(settings.dataDir, 'dynamodb');
    const dynamo = await startDynamoDb({
      port: 0,
      dataDir: dynamoDataDir,
      region: settings.region,
      accountId: settings.accountId,
    });
    closers.add(() => dynamo.close());
    // The server first: its URL appears in resolved template values (GraphQLUrl, queue URLs).
    const server = await startServer(
      { port: options.port ?? 4000, tls: options.tls === true, dataDir: settings.dataDir, write: settings.write },
      closers,
    );
    const stacks = localStacks(assembly, settings, server.baseUrl);

    await createTables(stacks, dynamo.endpoint);
    const principals = createPrincipals(stacks, settings.accountId);
    const queues = createQueues(stacks, settings.dataDir);
    const journey = createJourney(settings.write, { verbose: settings.verbose });
    const probes = createJourneyProbes(journey);
    const functions = createFunctions(
      stacks,
      { settings, principals, queues, journey, baseUrl: server.baseUrl, caFile: server.caFile },
      closers,
    );
    const { api, graphqlUrl, apiKeyMode } = createApi(stacks, { settings, principals, functions, probes }, closers);
    const stateMachines = readStateMachines(stacks);
    const stepFunctions = startStepFunctions(stateMachines, functions, settings, closers);
    const bus = startEventBus(
      readRules(stacks, settings.write),
      { functions, stateMachines, stepFunctions, queues, probes },
      settings,
      closers,
    );

    const auth: AwsAuth = {
      region: settings.region,
      accountId: settings.accountId,
      principals: principals.byAccessKey,
      policyOf: resourcePolicyLookup(stacks),
      write: settings.write,
    };
    const dynamoProxy = dynamoDbRoute(dynamo, auth);
    const routes: Route[] = [
      ...(api === undefined ? [] : [appSyncRoute(api, probes)]),
      dynamoProxy.route,
      eventBridgeRoute(bus, probes, auth),
      stepFunctionsRoute(stepFunctions, auth),
    ];
    server.serve(createRouter(routes));
    api?.attachRealtime(server.server);

    const apiKey = apiKeyMode ? settings.apiKey : '';
    const endpoint = { graphqlUrl, realtimeUrl: server.realtimeUrl, apiKey, region: settings.region };
    writeEndpointFile(settings.dataDir, { ...endpoint, frontEndCredentials: principals.frontEndCredentials });
    return {
      ...endpoint,
      endpoint: server.baseUrl,
      frontEndCredentials: principals.frontEndCredentials,
      operatorCredentials: principals.operatorCredentials,
      credentialsOf: (functionPath) => functions.all.find((entry) => entry.path === functionPath)?.credentials,
      certificatePem: server.certificate?.cert,
      bootMs: performance.now() - started,
      queues: queuesByName(queues),
      metrics: () => collectMetrics({ api, bus, dynamo: dynamoProxy.metering, functions }),
      idle: () => waitForIdle({ bus, functions, stepFunctions }),
      stop: () => closers.closeAll(),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
