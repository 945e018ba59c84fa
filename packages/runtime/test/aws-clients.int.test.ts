/**
 * The default SDK clients of the store and the publisher, configured from the environment only:
 * against dynalite and a capturing bus, with configuration and credential files that say otherwise.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbEventStore, REQUEST_TIMEOUT_MS } from '../src/dynamodb';
import { createEventBridgePublisher } from '../src/eventbridge';
import { toCommit } from '../src/index';
import { createEventsTable, startCapturingBus, startDynalite } from '../src/testing';
import { counterDecider } from './support/counter';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let silent: Server;
let silentEndpoint = '';
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'client-events');
  bus = await startCapturingBus();
  // Accepts connections and requests, never answers.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentEndpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await Promise.all([dynamo.close(), bus.close(), new Promise((resolve) => silent.close(resolve))]);
});
afterEach(() => {
  process.env = { ...savedEnv };
});

/** A profile that would send every request elsewhere, with credentials of its own, if it were read. */
function misleadingAwsFiles(): { AWS_CONFIG_FILE: string; AWS_SHARED_CREDENTIALS_FILE: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aws-files-'));
  const config = join(dir, 'config');
  const credentials = join(dir, 'credentials');
  writeFileSync(config, '[default]\nregion = eu-west-3\nendpoint_url = http://127.0.0.1:9\nmax_attempts = 7\n');
  writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n');
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
}

function lambdaEnvironment(endpoints: Record<string, string>): void {
  process.env = {
    PATH: savedEnv.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDENV',
    AWS_SECRET_ACCESS_KEY: 'env-secret',
    AWS_SESSION_TOKEN: 'env-token',
    ...misleadingAwsFiles(),
    ...endpoints,
  };
}

function commit(streamId: string, deadline: Date) {
  return toCommit([{ type: 'Added', data: { amount: 1 } }], {
    aggregate: 'counter',
    streamId,
    expectedVersion: 0,
    commandId: `cmd-${streamId}`,
    fingerprint: 'fp',
    correlationId: 'c',
    actor: { kind: 'system', id: 'test' },
    now: new Date(),
    deadline,
    state: { total: 1 },
    reducerVersion: 1,
    previousCommits: [],
  });
}

describe('the default clients', () => {
  it('take region, credentials and endpoint from the environment and ignore the AWS configuration files', async () => {
    lambdaEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint });
    const store = createDynamoDbEventStore({ tableName: 'client-events' });
    const stored = commit('env-only', new Date(Date.now() + 60_000));
    await expect(store.append(stored, { notAfter: new Date(Date.now() + 30_000) })).resolves.toEqual({
      status: 'stored',
    });
    await expect(store.load('env-only', counterDecider(1))).resolves.toMatchObject({ version: 1 });

    const publisher = createEventBridgePublisher({ eventBusName: 'core', source: 'core.counter' });
    await publisher.publish([stored]);
    expect(bus.accepted.at(-1)).toMatchObject({ Source: 'core.counter', EventBusName: 'core' });
    expect(publisher.metrics.requests).toBe(1);
  });

  it('take the general AWS_ENDPOINT_URL when no service endpoint is set', async () => {
    lambdaEnvironment({ AWS_ENDPOINT_URL: dynamo.endpoint });
    const store = createDynamoDbEventStore({ tableName: 'client-events' });
    await expect(store.load('nothing-here', counterDecider(1))).resolves.toMatchObject({ version: 0 });
  });

  it('do not fall back on the credentials file when the environment has no credentials', async () => {
    lambdaEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    const store = createDynamoDbEventStore({ tableName: 'client-events' });
    await expect(store.load('env-only', counterDecider(1))).rejects.toThrow(/environment variable credentials/);
  });

  it('name the missing region', () => {
    lambdaEnvironment({});
    delete process.env['AWS_REGION'];
    expect(() => createDynamoDbEventStore({ tableName: 'client-events' })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION', message: 'environment variable AWS_REGION is not set' }),
    );
  });
});

describe("the store's default client", () => {
  it(`gives up a request after ${REQUEST_TIMEOUT_MS} ms, so a write that hangs ends as TIMEOUT, not later`, async () => {
    lambdaEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: silentEndpoint });
    const store = createDynamoDbEventStore({ tableName: 'client-events' });
    const started = Date.now();
    const notAfter = new Date(started + REQUEST_TIMEOUT_MS / 2);
    const deadline = new Date(started + REQUEST_TIMEOUT_MS / 2 + 1_500);
    const error = await store.append(commit('hangs', deadline), { notAfter }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    // One attempt, abandoned when it timed out: no second write started after notAfter.
    expect(Date.now()).toBeLessThan(deadline.getTime());
  });

  it('retries a read that timed out while its budget lasts, then fails with the timeout', async () => {
    lambdaEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: silentEndpoint });
    const store = createDynamoDbEventStore({ tableName: 'client-events' });
    await expect(store.load('hangs', counterDecider(1))).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
