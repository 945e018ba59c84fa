/**
 * `bootLocalCore` on a small handwritten cloud assembly, for the parts of the boot path the main app
 * does not exercise yet (test/fixtures/boot-saga):
 * - a rule on a custom bus whose target is a Step Functions state machine (with the target `RoleArn`
 *   CDK writes), running two `lambda:invoke` tasks whose function ARNs come from `Fn::GetAtt` inside the
 *   `Fn::Join` of the `DefinitionString`;
 * - the template's role policies deciding which function may call an `@aws_iam` mutation;
 * - a rule with an invalid event pattern refusing the boot (test/fixtures/boot-invalid-pattern);
 * - HTTPS with the generated certificate and the files written to the data folder.
 *
 * The fixture's one bundle (`asset.<hash>/index.mjs`, shared by both functions as CDK shares identical
 * assets) answers with the event it got and with its role's credentials, so that everything is observed
 * through real clients: the AWS SDK (PutEvents, DescribeExecution) and SigV4-signed GraphQL requests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootLocalCore, type LocalCore } from '../src';
import { postWithApiKey, postWithIam, type TestCredentials } from './appsync-fixtures';

const SAGA_ASSEMBLY = join(__dirname, 'fixtures', 'boot-saga');
const INVALID_PATTERN_ASSEMBLY = join(__dirname, 'fixtures', 'boot-invalid-pattern');

const ORDER_CONFIRMED = /* GraphQL */ `
  mutation Confirm($input: OrderConfirmedInput!) {
    orderConfirmed(input: $input) {
      orderId
      status
    }
  }
`;

/** What the fixture's bundle answers. */
interface StepAnswer {
  readonly step: string;
  readonly functionName: string;
  readonly received: Record<string, unknown>;
  readonly credentials: TestCredentials;
  /** How the API answered an unsigned request from inside the function (ConfirmOrder only). */
  readonly graphql?: { readonly status?: number; readonly body?: unknown; readonly error?: string };
}

/** A task's result as the optimized `lambda:invoke` integration returns it. */
interface InvokeResponse {
  readonly StatusCode: number;
  readonly Payload: StepAnswer;
}

/** The saga's output: its input (the EventBridge event) with each step's result at its `ResultPath`. */
interface SagaOutput {
  readonly id: string;
  readonly detail: { readonly orderId: string };
  readonly reserve: InvokeResponse;
  readonly confirm: InvokeResponse;
}

interface Clients {
  readonly events: EventBridgeClient;
  readonly sfn: SFNClient;
}

/** SDK clients of the core's one server, signing as the operator (an administrator's credentials). */
function clientsOf(core: LocalCore, ca?: string): Clients {
  const config = {
    endpoint: core.endpoint,
    region: core.region,
    credentials: core.operatorCredentials,
    maxAttempts: 1,
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca }) } }),
  };
  return { events: new EventBridgeClient(config), sfn: new SFNClient(config) };
}

/**
 * ARNs of the executions that ended after log line `from`. The local Step Functions has no
 * ListExecutions, and a rule does not hand the ARN back, so the core's log is where it shows.
 */
function endedExecutions(lines: readonly string[], from: number): string[] {
  return lines
    .slice(from)
    .map((line) => /Execution (?!started)\w+: (arn:aws:states:\S+)/.exec(line)?.[1])
    .filter((arn): arn is string => arn !== undefined);
}

/** Puts an OrderPlaced event on the `orders` bus, waits for the core to settle, and describes the execution it started. */
async function placeOrder(
  core: LocalCore,
  clients: Clients,
  lines: readonly string[],
  orderId: string,
): Promise<{ eventId: string; execution: DescribeExecutionCommandOutput; output: SagaOutput }> {
  const from = lines.length;
  const put = await clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'orders',
          Source: 'app.orders',
          DetailType: 'OrderPlaced',
          Detail: JSON.stringify({ orderId }),
        },
      ],
    }),
  );
  expect(put.FailedEntryCount).toBe(0);
  const eventId = put.Entries?.[0]?.EventId ?? '';
  await core.idle();

  const ended = endedExecutions(lines, from);
  expect(ended).toHaveLength(1);
  const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: ended[0] }));
  return { eventId, execution, output: JSON.parse(execution.output ?? 'null') as SagaOutput };
}

describe('bootLocalCore: a rule on a custom bus starting a Step Functions saga', () => {
  let core: LocalCore;
  let clients: Clients;
  const lines: string[] = [];

  beforeAll(async () => {
    core = await bootLocalCore({ assemblyDir: SAGA_ASSEMBLY, port: 0, log: (line) => lines.push(line) });
    clients = clientsOf(core);
  });
  afterAll(async () => {
    await core?.stop();
  });

  it('starts the state machine for a matching event and runs both Lambda tasks with their payloads', async () => {
    const { eventId, execution, output } = await placeOrder(core, clients, lines, 'o-1');

    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineArn: expect.stringMatching(
        /^arn:aws:states:us-east-1:000000000000:stateMachine:Saga7C2D9E50-[A-Z0-9]{12}$/,
      ),
    });
    // The execution input is the whole event (no InputPath on the target), with the id PutEvents answered.
    const event = { id: eventId, source: 'app.orders', 'detail-type': 'OrderPlaced', detail: { orderId: 'o-1' } };
    expect(JSON.parse(execution.input ?? 'null')).toMatchObject({
      ...event,
      account: '000000000000',
      region: 'us-east-1',
    });
    // ReserveStock: "Payload.$": "$" is the event; its answer comes back in the lambda:invoke response shape.
    expect(output.reserve).toMatchObject({
      StatusCode: 200,
      Payload: {
        step: 'reserve-stock',
        functionName: expect.stringMatching(/^Saga-ReserveStock5E2C9A7D-/),
        received: event,
      },
    });
    // ConfirmOrder: "Payload.$": "$.detail".
    expect(output.confirm).toMatchObject({
      StatusCode: 200,
      Payload: {
        step: 'confirm-order',
        functionName: expect.stringMatching(/^Saga-ConfirmOrder9B1F3D42-/),
        received: { orderId: 'o-1' },
      },
    });
  });

  it('lets a function reach the API at the GraphQLUrl its environment got from the template', async () => {
    const { output } = await placeOrder(core, clients, lines, 'o-2');

    expect(output.confirm.Payload.graphql).toEqual({
      status: 401,
      body: { errors: [expect.objectContaining({ errorType: 'UnauthorizedException' })] },
    });
  });

  it('starts nothing for an event the rule does not match', async () => {
    const from = lines.length;
    const deliveries = core.metrics().busDeliveries;

    const put = await clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'orders',
            Source: 'app.orders',
            DetailType: 'OrderCancelled',
            Detail: JSON.stringify({ orderId: 'o-3' }),
          },
        ],
      }),
    );
    await core.idle();

    expect(put.FailedEntryCount).toBe(0);
    expect(core.metrics().busDeliveries).toBe(deliveries);
    expect(lines.slice(from).filter((line) => line.includes('Execution started'))).toEqual([]);
  });

  // The bundle has no SDK and no SigV4 signer, so the test signs with each function's credentials, as the
  // function would: what is under test is the boot giving each role its key and the template's policies.
  it('accepts the @aws_iam mutation signed as the function whose role the template grants appsync:GraphQL, and refuses it signed as the other function', async () => {
    const { output } = await placeOrder(core, clients, lines, 'o-4');
    const granted = output.confirm.Payload.credentials;
    const notGranted = output.reserve.Payload.credentials;
    expect(granted.accessKeyId).toMatch(/^ASIALOCAL[0-9A-F]{11}$/);
    expect(notGranted.accessKeyId).toMatch(/^ASIALOCAL[0-9A-F]{11}$/);
    expect(granted.accessKeyId).not.toBe(notGranted.accessKeyId);
    const confirm = { query: ORDER_CONFIRMED, variables: { input: { orderId: 'o-4', status: 'CONFIRMED' } } };

    const allowed = await postWithIam(core.graphqlUrl, confirm, granted);
    const refused = await postWithIam(core.graphqlUrl, confirm, notGranted);

    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ data: { orderConfirmed: { orderId: 'o-4', status: 'CONFIRMED' } } });
    expect(refused).toMatchObject({
      status: 200,
      body: {
        data: { orderConfirmed: null },
        errors: [
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access orderConfirmed on type Mutation',
          }),
        ],
      },
    });
  });

  it('refuses the @aws_iam mutation to the API key and to the front-end servers, since a role of the template holds the grant', async () => {
    const confirm = { query: ORDER_CONFIRMED, variables: { input: { orderId: 'o-5', status: 'CONFIRMED' } } };

    const withApiKey = await postWithApiKey(core.graphqlUrl, confirm, core.apiKey);
    const asFrontEnd = await postWithIam(core.graphqlUrl, confirm, core.frontEndCredentials);

    for (const answer of [withApiKey, asFrontEnd]) {
      expect(answer).toMatchObject({
        status: 200,
        body: { data: { orderConfirmed: null }, errors: [expect.objectContaining({ errorType: 'Unauthorized' })] },
      });
    }
  });
});

describe('bootLocalCore: a rule with an invalid event pattern', () => {
  it('refuses to boot, naming the rule and what is wrong with its pattern', async () => {
    const outcome = await bootLocalCore({ assemblyDir: INVALID_PATTERN_ASSEMBLY, port: 0, log: () => undefined }).then(
      async (core) => {
        await core.stop();
        return 'booted';
      },
      (error: unknown) => error,
    );

    expect(outcome).toMatchObject({
      name: 'EventPatternError',
      message: expect.stringMatching(
        /^Rule "Refunds-LargeRefundRequested8F2A6B1C-[A-Z0-9]{12}" has an invalid event pattern:\n {2}- detail\.amount\[0\]: Value of > must be numeric$/,
      ),
    });
  });
});

/** The answer of an HTTPS request. */
interface HttpsAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** POSTs JSON over HTTPS trusting `ca` (no `ca`: the default trust store). */
function postHttps(url: string, body: object, headers: Record<string, string>, ca?: string): Promise<HttpsAnswer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('bootLocalCore with tls and a data folder', () => {
  let core: LocalCore;
  let dataDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'boot-tls-'));
    core = await bootLocalCore({
      assemblyDir: SAGA_ASSEMBLY,
      port: 0,
      tls: true,
      dataDir,
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await core?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the CA certificate and endpoint.json to the data folder', () => {
    expect(core.graphqlUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(core.realtimeUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/graphql\/realtime$/);
    expect(core.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8')).toBe(core.certificatePem);
    expect(JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8'))).toEqual({
      endpoint: core.endpoint,
      graphqlUrl: core.graphqlUrl,
      realtimeUrl: core.realtimeUrl,
      apiKey: core.apiKey,
      region: core.region,
      frontEndCredentials: core.frontEndCredentials,
    });
  });

  it('serves AppSync over HTTPS to a client that trusts the CA from the data folder', async () => {
    const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8');

    const unsigned = await postHttps(core.graphqlUrl, { query: '{ ping }' }, {}, ca);
    const withApiKey = await postHttps(core.graphqlUrl, { query: '{ ping }' }, { 'x-api-key': core.apiKey }, ca);

    expect(unsigned).toEqual({
      status: 401,
      body: { errors: [expect.objectContaining({ errorType: 'UnauthorizedException' })] },
    });
    expect(withApiKey).toEqual({ status: 200, body: { data: { ping: null } } });
  });

  it('is refused by a client that does not trust the CA', async () => {
    const outcome = await postHttps(core.graphqlUrl, { query: '{ ping }' }, { 'x-api-key': core.apiKey }).then(
      () => 'answered',
      (error: unknown) => error,
    );

    expect(outcome).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('runs the saga from PutEvents over HTTPS', async () => {
    const { execution, output } = await placeOrder(core, clientsOf(core, core.certificatePem), lines, 'o-tls');

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.reserve.Payload.received).toMatchObject({ detail: { orderId: 'o-tls' } });
  });

  // Node reads NODE_EXTRA_CA_CERTS once per process, so the Lambda bootstrap adds the core's CA itself
  // (a worker thread's env does not change its trust store); this proves a function's fetch trusts it.
  it('lets a function reach the API at its https GraphQLUrl', async () => {
    const { output } = await placeOrder(core, clientsOf(core, core.certificatePem), lines, 'o-tls-fn');

    expect(output.confirm.Payload.graphql).toMatchObject({ status: 401 });
  });
});
