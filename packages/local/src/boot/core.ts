/**
 * Boots a synthesized CDK app (its cloud assembly, `cdk.out`) on this machine. There is no second
 * description of the wiring: tables, functions (their bundles, environment, timeout, role), bus
 * rules and targets, queues, state machines, the AppSync schema, resolvers and auth all come from
 * the templates. One HTTP server on 127.0.0.1 serves AppSync (`/graphql`, `/graphql/realtime`) and
 * the AWS APIs the functions call (EventBridge, Step Functions, and DynamoDB, handed to the store's thread);
 * functions reach them through `AWS_ENDPOINT_URL_*` only. Every route verifies SigV4 and evaluates
 * the caller's policies from the template (and the resource's policy), as AWS would.
 *
 * Each resource type has its module in this folder; `bootLocalCore` starts them in dependency order.
 * With a data folder, what was accepted and not finished is journalled and resumed at the next start;
 * `stop()` drains in-flight work (bounded) before it closes connections and servers.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDb } from '../dynamodb';
import { appSyncRoute, createApi } from './api';
import { resourcePolicyLookup, type AwsAuth } from './aws-auth';
import { Closers } from './closers';
import { faultControlRoute } from './control';
import { dynamoDbRoute } from './dynamodb-proxy';
import { writeEndpointFile } from './endpoint-file';
import { createFunctions } from './functions';
import { startEventSources } from './event-sources';
import { createFaults, dynamoDbFaults } from './faults';
import { drain, waitForIdle } from './idle';
import { openJournals } from './journals';
import { createJourney } from './journey';
import { createJourneyProbes } from './journey-probes';
import { collectMetrics } from './metrics';
import { createPrincipals } from './principals';
import { createQueues, queuesByName, sqsRoute } from './queues';
import { createRouter, type Route } from './router';
import { eventBridgeRoute, readRules, startEventBus } from './rules';
import { startServer } from './server';
import { localStacks, readStacks } from './stacks';
import { readStateMachines, startStepFunctions, stepFunctionsRoute } from './state-machines';
import { createTables } from './tables';
import { settingsOf, type BootOptions, type LocalCore } from './types';

export type { BootOptions, LocalCore, LocalCoreMetrics } from './types';
export type { BusFaultSwitch, FaultConfig, FaultControl, FaultName, FaultSwitch } from './faults';

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

    const tables = await createTables(stacks, dynamo.endpoint);
    const faults = createFaults(options.faults);
    const journals = openJournals(settings.dataDir, closers);
    const principals = createPrincipals(stacks, settings.accountId);
    const queues = createQueues(stacks, settings, closers);
    const journey = createJourney(settings.write, { verbose: settings.verbose });
    const probes = createJourneyProbes(journey);
    const functions = createFunctions(
      stacks,
      { settings, principals, queues, journey, journals, baseUrl: server.baseUrl, caFile: server.caFile },
      closers,
    );
    const { api, graphqlUrl, apiKeyMode } = createApi(
      stacks,
      { settings, principals, functions, probes, faults },
      closers,
    );
    const stateMachines = readStateMachines(stacks);
    const stepFunctions = startStepFunctions(stateMachines, functions, settings, closers);
    const bus = startEventBus(
      readRules(stacks, settings.write),
      { functions, stateMachines, stepFunctions, queues, probes, faults, journal: journals.bus },
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
    const dynamoProxy = dynamoDbRoute(dynamo, auth, dynamoDbFaults(faults, functions.terminateRunning));
    const routes: Route[] = [
      ...(api === undefined ? [] : [appSyncRoute(api, { probes, principals, faults })]),
      dynamoProxy.route,
      eventBridgeRoute(bus, probes, auth),
      stepFunctionsRoute(stepFunctions, auth),
      sqsRoute(queues),
      ...(options.faultEndpoint === true ? [faultControlRoute(faults)] : []),
    ];
    server.serve(createRouter(routes));
    api?.attachRealtime(server.server);
    // Started once everything they call is served; stopped before the functions they invoke.
    const eventSources = startEventSources(stacks, { functions, queues }, settings, closers);
    await journals.resume(bus, functions, settings.write);

    const busy = { bus, functions, stepFunctions, eventSources };
    const apiKey = apiKeyMode ? settings.apiKey : '';
    const endpoint = { graphqlUrl, realtimeUrl: server.realtimeUrl, apiKey, region: settings.region };
    writeEndpointFile(settings.dataDir, {
      ...endpoint,
      endpoint: server.baseUrl,
      frontEndCredentials: principals.frontEndCredentials,
    });
    return {
      ...endpoint,
      endpoint: server.baseUrl,
      frontEndCredentials: principals.frontEndCredentials,
      operatorCredentials: principals.operatorCredentials,
      credentialsOf: (functionPath) => functions.all.find((entry) => entry.path === functionPath)?.credentials,
      certificatePem: server.certificate?.cert,
      bootMs: performance.now() - started,
      queues: queuesByName(queues),
      tables,
      dynamoDbEndpoint: dynamo.endpoint,
      faults,
      metrics: () => collectMetrics({ api, bus, dynamo: dynamoProxy.metering, functions }),
      idle: () => waitForIdle(busy),
      stop: async () => {
        if (!(await drain(busy, settings.drainTimeoutMs)))
          settings.write(
            `stop: work still in flight after ${settings.drainTimeoutMs} ms; ${settings.dataDir === undefined ? 'it is lost (no data folder)' : 'it is journalled and resumes at the next start'}`,
          );
        await closers.closeAll();
      },
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}
