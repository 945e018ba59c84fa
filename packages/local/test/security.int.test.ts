/**
 * The local AWS routes authenticate and authorize as AWS would, on a handwritten cloud assembly
 * (test/fixtures/boot-guarded): a bus whose policy refuses the source `core.orders` to every role but
 * the publisher's, whose own grant is limited to that source and detail type `Commit`; an event table
 * whose resource policy makes it append-only, with the writer its only writer; a state machine the
 * publisher may start. Requests go over the one server, signed as the functions' roles, the operator
 * (an administrator) or not at all; and the server serves only local Host names and refuses large
 * bodies before reading them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { bootLocalCore, createStackContext, loadCloudAssembly, type LocalCore } from '../src';

const ASSEMBLY = join(__dirname, 'fixtures', 'boot-guarded');

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

interface AwsAnswer {
  readonly status: number;
  readonly body: { __type?: string; message?: string } & Record<string, unknown>;
}

const TARGETS = {
  dynamodb: { prefix: 'DynamoDB_20120810', version: '1.0' },
  events: { prefix: 'AWSEvents', version: '1.1' },
  states: { prefix: 'AWSStepFunctions', version: '1.0' },
} as const;

/** An AWS JSON request to the core, signed as `credentials` (none: unsigned), optionally tampered with. */
async function aws(
  core: LocalCore,
  service: keyof typeof TARGETS,
  operation: string,
  input: object,
  credentials: Credentials | undefined,
  options: { signingDate?: Date; tamper?: (headers: Record<string, string>) => void } = {},
): Promise<AwsAnswer> {
  const url = new URL(core.endpoint);
  const body = JSON.stringify(input);
  const { prefix, version } = TARGETS[service];
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': `application/x-amz-json-${version}`,
    'x-amz-target': `${prefix}.${operation}`,
  };
  if (credentials !== undefined) {
    const signer = new SignatureV4({ credentials, region: core.region, service, sha256: Sha256 });
    const request = new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      path: '/',
      headers,
      body,
    });
    headers = (await signer.sign(request, { signingDate: options.signingDate })).headers;
  }
  options.tamper?.(headers);
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'host'));
  const response = await fetch(core.endpoint, { method: 'POST', headers: sent, body });
  return { status: response.status, body: (await response.json()) as AwsAnswer['body'] };
}

let core: LocalCore;
let publisher: Credentials;
let writer: Credentials;
let tableName: string;
let tableArn: string;
let busArn: string;
let flowArn: string;
const lines: string[] = [];

beforeAll(async () => {
  core = await bootLocalCore({ assemblyDir: ASSEMBLY, port: 0, log: (line) => lines.push(line) });
  publisher = core.credentialsOf('Publisher') as Credentials;
  writer = core.credentialsOf('Writer') as Credentials;
  const [stack] = loadCloudAssembly(ASSEMBLY).stacks;
  const ctx = createStackContext({
    template: stack!.template,
    stackName: stack!.stackName,
    region: core.region,
    accountId: '000000000000',
  });
  tableName = String(ctx.ref('Events'));
  tableArn = String(ctx.getAtt('Events', 'Arn'));
  busArn = String(ctx.getAtt('Bus', 'Arn'));
  flowArn = String(ctx.ref('Flow'));
});
afterAll(async () => {
  await core?.stop();
});

const item = (version: number) => ({
  TableName: tableName,
  Item: { streamId: { S: 's-1' }, version: { N: String(version) } },
});

describe('SigV4 on the AWS routes', () => {
  it.each([
    ['unsigned', undefined, {}, 'MissingAuthenticationTokenException', /missing Authentication Token/],
    [
      'with any Authorization header',
      undefined,
      { tamper: (h: Record<string, string>) => (h.authorization = 'Bearer anything') },
      'IncompleteSignatureException',
      /requires Credential/,
    ],
    [
      'signed with an unknown key',
      { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      {},
      'UnrecognizedClientException',
      /security token included in the request is invalid/,
    ],
  ])('refuses a DynamoDB Scan %s', async (_label, credentials, options, type, message) => {
    const answer = await aws(core, 'dynamodb', 'Scan', { TableName: tableName }, credentials, options);
    expect(answer).toEqual({ status: 400, body: { __type: type, message: expect.stringMatching(message) } });
  });

  it('refuses a tampered signature and a signed request replayed after its expiry', async () => {
    const tampered = await aws(core, 'dynamodb', 'GetItem', item(1), writer, {
      tamper: (h) =>
        (h.authorization = h.authorization!.replace(
          /Signature=(.)/,
          (_, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`,
        )),
    });
    const replayed = await aws(core, 'dynamodb', 'GetItem', item(1), writer, {
      signingDate: new Date(Date.now() - 6 * 60_000),
    });
    expect(tampered.body).toEqual({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/does not match/),
    });
    expect(replayed.body).toEqual({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired/),
    });
  });

  it('refuses the other services unsigned, and a signature scoped to another service', async () => {
    const put = await aws(core, 'events', 'PutEvents', { Entries: [] }, undefined);
    const start = await aws(core, 'states', 'StartExecution', { stateMachineArn: flowArn }, undefined);
    expect([put.body.__type, start.body.__type]).toEqual([
      'MissingAuthenticationTokenException',
      'MissingAuthenticationTokenException',
    ]);
    // A request signed for DynamoDB does not pass as an EventBridge one.
    const url = new URL(core.endpoint);
    const signer = new SignatureV4({
      credentials: publisher,
      region: core.region,
      service: 'dynamodb',
      sha256: Sha256,
    });
    const body = JSON.stringify({ Entries: [] });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        path: '/',
        body,
        headers: {
          host: url.host,
          'x-amz-target': 'AWSEvents.PutEvents',
          'content-type': 'application/x-amz-json-1.1',
        },
      }),
    );
    const { host: _host, ...headers } = signed.headers;
    const answer = await fetch(core.endpoint, { method: 'POST', headers, body });
    expect(await answer.json()).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/correct service: 'events'/),
    });
  });
});

describe('DynamoDB: each action on its table, with the table policy', () => {
  it('refuses an action the role is not granted, naming the action and the table ARN', async () => {
    const answer = await aws(core, 'dynamodb', 'Scan', { TableName: tableName }, publisher);
    expect(answer).toEqual({
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        message: expect.stringMatching(
          `^User: arn:aws:sts::000000000000:assumed-role/\\S+/local is not authorized to perform: dynamodb:Scan on resource: ${tableArn} because no identity-based policy allows the dynamodb:Scan action$`,
        ),
      },
    });
    expect(lines.some((line) => line.startsWith('!! access denied: ') && line.includes('dynamodb:Scan'))).toBe(true);
  });

  it('lets the writer append and read, inside a transaction too', async () => {
    expect((await aws(core, 'dynamodb', 'PutItem', item(1), writer)).status).toBe(200);
    const transaction = { TransactItems: [{ Put: item(2) }] };
    expect((await aws(core, 'dynamodb', 'TransactWriteItems', transaction, writer)).status).toBe(200);
    const read = await aws(core, 'dynamodb', 'GetItem', { TableName: tableName, Key: item(2).Item }, writer);
    expect(read.body.Item).toEqual(item(2).Item);
  });

  it("refuses even the operator (an administrator) what the table's policy denies: a write, a change, a delete", async () => {
    const key = { TableName: tableName, Key: item(1).Item };
    const attempts = [
      ['PutItem', item(9), 'dynamodb:PutItem'],
      ['TransactWriteItems', { TransactItems: [{ Put: item(9) }] }, 'dynamodb:PutItem'],
      [
        'UpdateItem',
        { ...key, UpdateExpression: 'SET forged = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } },
        'dynamodb:UpdateItem',
      ],
      ['DeleteItem', key, 'dynamodb:DeleteItem'],
    ] as const;
    for (const [operation, input, action] of attempts) {
      const answer = await aws(core, 'dynamodb', operation, input, core.operatorCredentials);
      expect({ operation, ...answer.body }).toEqual({
        operation,
        __type: 'AccessDeniedException',
        message: expect.stringContaining(
          `perform: ${action} on resource: ${tableArn} with an explicit deny in a resource-based policy`,
        ),
      });
    }
    expect((await aws(core, 'dynamodb', 'DeleteItem', key, writer)).body.__type).toBe('AccessDeniedException');
    const scan = await aws(core, 'dynamodb', 'Scan', { TableName: tableName }, core.operatorCredentials);
    expect(scan.body.Count).toBe(2);
  });
});

describe('EventBridge: events:PutEvents with events:source and events:detail-type, and the bus policy', () => {
  const entry = (source: string, detailType = 'Commit') => ({
    EventBusName: 'core',
    Source: source,
    DetailType: detailType,
    Detail: '{}',
  });

  it('lets the publisher put its own source and detail type', async () => {
    const answer = await aws(core, 'events', 'PutEvents', { Entries: [entry('core.orders')] }, publisher);
    expect(answer.body).toMatchObject({ FailedEntryCount: 0 });
  });

  it('refuses the publisher another detail type or another source, naming the condition values', async () => {
    for (const refused of [entry('core.orders', 'Forged'), entry('core.payments')]) {
      const answer = await aws(core, 'events', 'PutEvents', { Entries: [refused] }, publisher);
      expect(answer.body).toEqual({
        __type: 'AccessDeniedException',
        message: expect.stringContaining(
          `perform: events:PutEvents on resource: ${busArn} (events:source=${refused.Source}, events:detail-type=${refused.DetailType}) because no identity-based policy allows`,
        ),
      });
    }
  });

  it("refuses every other principal the publisher's source by the bus policy, even an administrator; entry by entry", async () => {
    const forged = await aws(
      core,
      'events',
      'PutEvents',
      { Entries: [entry('core.orders')] },
      core.operatorCredentials,
    );
    expect(forged.body).toEqual({
      __type: 'AccessDeniedException',
      message: expect.stringContaining('with an explicit deny in a resource-based policy'),
    });
    const mixed = await aws(
      core,
      'events',
      'PutEvents',
      { Entries: [entry('core.admin'), entry('core.orders')] },
      core.operatorCredentials,
    );
    expect(mixed.body).toEqual({
      FailedEntryCount: 1,
      Entries: [
        { EventId: expect.any(String) },
        {
          ErrorCode: 'AccessDeniedException',
          ErrorMessage: expect.stringContaining('explicit deny in a resource-based policy'),
        },
      ],
    });
    const asWriter = await aws(core, 'events', 'PutEvents', { Entries: [entry('core.orders')] }, writer);
    expect(asWriter.body.__type).toBe('AccessDeniedException');
  });
});

describe('Step Functions: each operation on its state machine or execution', () => {
  it('lets the publisher start the state machine, and refuses it describing the execution and the writer starting one', async () => {
    const started = await aws(core, 'states', 'StartExecution', { stateMachineArn: flowArn }, publisher);
    expect(started.status).toBe(200);
    const executionArn = String(started.body.executionArn);
    const described = await aws(core, 'states', 'DescribeExecution', { executionArn }, publisher);
    const byWriter = await aws(core, 'states', 'StartExecution', { stateMachineArn: flowArn }, writer);
    expect(described.body).toEqual({
      __type: 'AccessDeniedException',
      message: expect.stringContaining(`perform: states:DescribeExecution on resource: ${executionArn}`),
    });
    expect(byWriter.body).toEqual({
      __type: 'AccessDeniedException',
      message: expect.stringContaining(`perform: states:StartExecution on resource: ${flowArn}`),
    });
  });
});

/** A raw HTTP exchange with the core's server: what it answered, and how much of the body it read. */
function raw(
  headers: Record<string, string>,
  send: (write: (chunk: Buffer) => boolean) => void,
): Promise<{ status: number; body: string }> {
  const url = new URL(core.endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.flushHeaders();
    send((chunk) => req.write(chunk));
  });
}

describe('the server', () => {
  it('serves the Host names 127.0.0.1 and localhost only', async () => {
    const port = new URL(core.endpoint).port;
    const ask = (host: string) =>
      raw({ host, 'x-amz-target': 'AWSEvents.PutEvents', 'content-length': '2' }, (write) => write(Buffer.from('{}')));
    expect((await ask('evil.example')).status).toBe(403);
    expect((await ask(`attacker.test:${port}`)).status).toBe(403);
    expect((await ask(`localhost:${port}`)).status).toBe(400);
    expect((await ask(`127.0.0.1:${port}`)).status).toBe(400);
  });

  it('refuses a body over its route’s limit at once from Content-Length, before any byte is sent', async () => {
    const answer = await raw(
      { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-length': String(17 * 1024 * 1024) },
      () => undefined,
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let answered = false;
    const answer = await raw(
      { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'transfer-encoding': 'chunked' },
      (write) => {
        const pump = () => {
          while (!answered && sent < 64 && write(chunk)) sent += 1;
          if (!answered && sent < 64) setTimeout(pump, 5);
        };
        pump();
      },
    ).finally(() => (answered = true));
    expect(answer.status).toBe(413);
    expect(sent).toBeLessThan(64);
  });
});
