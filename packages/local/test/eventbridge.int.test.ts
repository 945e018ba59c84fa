import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLocalEventBus, type LocalRule } from '../src/eventbridge';
import { DeliveryError, type EventBridgeConfigError } from '../src/errors';
import { ACCOUNT, DLQ_ARN, REGION, functionArn, ruleArn, startHarness, type Harness } from './eventbridge-harness';

const ORDERS_FN = functionArn('orders');
const AUDIT_FN = functionArn('audit');
const DEFAULT_FN = functionArn('on-default');
const DISABLED_FN = functionArn('disabled');

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  EventBusName: 'core',
  Source: 'app.reservations',
  DetailType: 'ReservationRequested',
  Detail: JSON.stringify({ reservationId: 'r-1' }),
  ...overrides,
});

const rule = (name: string, overrides: Partial<LocalRule> = {}): LocalRule => ({
  name,
  arn: ruleArn(overrides.eventBusName ?? 'core', name),
  eventBusName: 'core',
  eventPattern: { source: ['app.reservations'] },
  targets: [],
  ...overrides,
});

describe('PutEvents over the AWS JSON 1.1 protocol', () => {
  it('delivers the EventBridge envelope with the returned EventId to a matching target', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [rule('all-reservations', { targets: [{ id: 'orders', arn: ORDERS_FN }] })],
    });
    const time = new Date('2026-11-28T18:43:48.734Z');

    const response = await harness.client.send(
      new PutEventsCommand({
        Entries: [entry({ Time: time, Resources: ['arn:aws:dynamodb:us-east-1:111122223333:table/core'] })],
      }),
    );
    await harness.bus.idle();

    expect(response.FailedEntryCount).toBe(0);
    const eventId = response.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const envelope = {
      version: '0',
      id: eventId,
      'detail-type': 'ReservationRequested',
      source: 'app.reservations',
      account: ACCOUNT,
      time: '2026-11-28T18:43:48Z',
      region: REGION,
      resources: ['arn:aws:dynamodb:us-east-1:111122223333:table/core'],
      detail: { reservationId: 'r-1' },
    };
    expect(harness.deliveries).toEqual([
      {
        targetArn: ORDERS_FN,
        ruleName: 'all-reservations',
        ruleArn: ruleArn('core', 'all-reservations'),
        eventId,
        input: envelope,
        event: envelope,
      },
    ]);
    expect(Object.keys(harness.deliveries[0]?.input as object)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    expect(harness.bus.metrics).toMatchObject({ putEventsCalls: 1, entries: 1, billedEventChunks: 1, deliveries: 1 });
  });

  it('stamps the time of the call, with second precision, when Time is omitted, and always sends a resources array', async () => {
    const now = new Date('2027-01-02T03:04:05.678Z');
    harness = await startHarness({
      buses: ['core'],
      now: () => now,
      rules: [rule('all', { targets: [{ id: 'orders', arn: ORDERS_FN }] })],
    });

    await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    expect(harness.deliveries[0]?.input).toMatchObject({ time: '2027-01-02T03:04:05Z', resources: [] });
  });

  it('routes each event only to the enabled rules on its bus whose pattern matches', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [
        rule('requested', {
          eventPattern: { source: ['app.reservations'], 'detail-type': ['ReservationRequested'] },
          targets: [{ id: 'orders', arn: ORDERS_FN }],
        }),
        rule('big-ones', {
          eventPattern: { detail: { seats: [{ numeric: ['>=', 10] }] } },
          targets: [{ id: 'audit', arn: AUDIT_FN }],
        }),
        rule('on-default-bus', {
          eventBusName: 'default',
          arn: ruleArn('default', 'on-default-bus'),
          targets: [{ id: 'default', arn: DEFAULT_FN }],
        }),
        rule('switched-off', { state: 'DISABLED', targets: [{ id: 'disabled', arn: DISABLED_FN }] }),
      ],
    });

    const response = await harness.client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Detail: JSON.stringify({ id: 'small', seats: 2 }) }),
          entry({ DetailType: 'ReservationCancelled', Detail: JSON.stringify({ id: 'big', seats: 12 }) }),
          entry({ EventBusName: undefined, Detail: JSON.stringify({ id: 'on-default', seats: 50 }) }),
          entry({
            EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/core`,
            Detail: JSON.stringify({ id: 'by-arn', seats: 1 }),
          }),
        ],
      }),
    );
    await harness.bus.idle();

    expect(response.FailedEntryCount).toBe(0);
    const ids = (targetArn: string): unknown[] =>
      harness!
        .deliveredTo(targetArn)
        .map((d) => (d.input as { detail: { id: string } }).detail.id)
        .sort();
    expect(ids(ORDERS_FN)).toEqual(['by-arn', 'small']);
    expect(ids(AUDIT_FN)).toEqual(['big']);
    expect(ids(DEFAULT_FN)).toEqual(['on-default']);
    expect(ids(DISABLED_FN)).toEqual([]);
  });

  it('sends the constant Input, or the part of the event at InputPath', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [
        rule('shapes', {
          targets: [
            { id: 'constant', arn: functionArn('constant'), input: '{"fixed":true,"n":[1,2]}' },
            { id: 'detail', arn: functionArn('detail'), inputPath: '$.detail' },
            { id: 'sku', arn: functionArn('sku'), inputPath: '$.detail.line_items[1].sku-code' },
            { id: 'all-skus', arn: functionArn('all-skus'), inputPath: '$.detail.line_items[*].sku-code' },
            { id: 'missing', arn: functionArn('missing'), inputPath: '$.detail.nothing.here' },
          ],
        }),
      ],
    });
    const detail = { line_items: [{ 'sku-code': 'A-1' }, { 'sku-code': 'B-2' }] };

    await harness.client.send(new PutEventsCommand({ Entries: [entry({ Detail: JSON.stringify(detail) })] }));
    await harness.bus.idle();

    const inputOf = (name: string): unknown => harness!.deliveredTo(functionArn(name))[0]?.input;
    expect(inputOf('constant')).toEqual({ fixed: true, n: [1, 2] });
    expect(inputOf('detail')).toEqual(detail);
    expect(inputOf('sku')).toBe('B-2');
    expect(inputOf('all-skus')).toEqual(['A-1', 'B-2']);
    expect(inputOf('missing')).toBeNull();
    expect(harness.logs.some(({ line }) => line.includes('InputPath matched nothing'))).toBe(true);
  });

  it('fills InputTransformer templates: JSON values, text inside strings, reserved variables', async () => {
    const ingestion = new Date('2026-11-28T18:43:49.500Z');
    harness = await startHarness({
      buses: ['core'],
      now: () => ingestion,
      rules: [
        rule('transform', {
          targets: [
            {
              id: 'json',
              arn: functionArn('json'),
              inputTransformer: {
                inputPathsMap: {
                  id: '$.detail.reservationId',
                  seats: '$.detail.seats',
                  guest: '$.detail.guest',
                  quote: '$.detail.note',
                  absent: '$.detail.absent',
                },
                inputTemplate: `{
                  "id": <id>, "seats": <seats>, "guest": <guest>,
                  "summary": "Reservation <id> for <seats> seats, note \\"<quote>\\"",
                  "absent": <absent>, "absentText": "[<absent>]",
                  "rule": <aws.events.rule-name>, "ruleArn": "<aws.events.rule-arn>",
                  "ingested": <aws.events.event.ingestion-time>,
                  "original": <aws.events.event>, "full": <aws.events.event.json>,
                  "literal": "<not-a-variable>"
                }`,
              },
            },
            {
              id: 'text',
              arn: functionArn('text'),
              inputTransformer: {
                inputPathsMap: { id: '$.detail.reservationId', seats: '$.detail.seats' },
                inputTemplate: '"Reservation <id> has <seats> seats"',
              },
            },
            {
              id: 'plain',
              arn: functionArn('plain'),
              inputTransformer: {
                inputPathsMap: { id: '$.detail.reservationId', detail: '$.detail' },
                inputTemplate: '<id> is in state requested',
              },
            },
            {
              id: 'whole-detail',
              arn: functionArn('whole-detail'),
              inputTransformer: { inputPathsMap: { detail: '$.detail' }, inputTemplate: '<detail>' },
            },
          ],
        }),
      ],
    });
    const detail = { reservationId: 'r-9', seats: 4, guest: { name: 'Ada' }, note: 'say "hi"' };

    const response = await harness.client.send(
      new PutEventsCommand({ Entries: [entry({ Detail: JSON.stringify(detail) })] }),
    );
    await harness.bus.idle();

    const eventId = response.Entries?.[0]?.EventId;
    const inputOf = (name: string): unknown => harness!.deliveredTo(functionArn(name))[0]?.input;
    const envelope = harness.deliveredTo(functionArn('json'))[0]?.input as { full: Record<string, unknown> };
    expect(envelope.full).toMatchObject({ id: eventId, detail });
    expect(inputOf('json')).toEqual({
      id: 'r-9',
      seats: 4,
      guest: { name: 'Ada' },
      summary: 'Reservation r-9 for 4 seats, note "say "hi""',
      absent: null,
      absentText: '[]',
      rule: 'transform',
      ruleArn: ruleArn('core', 'transform'),
      ingested: '2026-11-28T18:43:49.500Z',
      original: {
        version: '0',
        id: eventId,
        'detail-type': 'ReservationRequested',
        source: 'app.reservations',
        account: ACCOUNT,
        time: '2026-11-28T18:43:49Z',
        region: REGION,
        resources: [],
      },
      full: envelope.full,
      literal: '<not-a-variable>',
    });
    expect(inputOf('text')).toBe('Reservation r-9 has 4 seats');
    expect(inputOf('plain')).toBe('r-9 is in state requested');
    expect(inputOf('whole-detail')).toEqual(detail);
  });
});

describe('retries and dead letters', () => {
  it('retries a retryable failure with the same event id, then succeeds', async () => {
    let failuresLeft = 2;
    harness = await startHarness({
      buses: ['core'],
      rules: [rule('flaky', { targets: [{ id: 'orders', arn: ORDERS_FN, deadLetterArn: DLQ_ARN }] })],
      onDeliver: () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new DeliveryError('THROTTLING', 'Rate exceeded', { retryable: true });
        }
      },
    });

    const response = await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    const eventId = response.Entries?.[0]?.EventId;
    expect(harness.deliveries.map((d) => [d.eventId, (d.input as { id: string }).id])).toEqual([
      [eventId, eventId],
      [eventId, eventId],
      [eventId, eventId],
    ]);
    expect(harness.dlq.messages).toEqual([]);
    expect(harness.bus.metrics).toMatchObject({ deliveries: 1, retries: 2, deadLettered: 0, dropped: 0 });
  });

  it('dead-letters after MaximumRetryAttempts with the documented attributes and the original event as body', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [
        rule('always-throttled', {
          targets: [
            {
              id: 'orders',
              arn: ORDERS_FN,
              inputPath: '$.detail',
              retryPolicy: { maximumRetryAttempts: 3 },
              deadLetterArn: DLQ_ARN,
            },
          ],
        }),
      ],
      onDeliver: () => {
        throw new DeliveryError('THROTTLING', 'Rate exceeded', { retryable: true });
      },
    });

    const response = await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    const eventId = response.Entries?.[0]?.EventId;
    expect(harness.deliveries).toHaveLength(4);
    expect(new Set(harness.deliveries.map((d) => d.eventId))).toEqual(new Set([eventId]));
    const [letter, ...others] = harness.dlq.receive({ max: 10 });
    expect(others).toEqual([]);
    expect(letter?.attributes).toEqual({
      RULE_ARN: ruleArn('core', 'always-throttled'),
      TARGET_ARN: ORDERS_FN,
      ERROR_CODE: 'THROTTLING',
      ERROR_MESSAGE: 'Rate exceeded',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '3',
    });
    expect(JSON.parse(letter?.body ?? '')).toMatchObject({ id: eventId, detail: { reservationId: 'r-1' } });
    expect(harness.bus.metrics).toMatchObject({ deliveries: 0, retries: 3, deadLettered: 1 });
  });

  it('dead-letters once the event is older than MaximumEventAgeInSeconds', async () => {
    let clock = new Date('2026-11-28T12:00:00Z');
    harness = await startHarness({
      buses: ['core'],
      now: () => clock,
      rules: [
        rule('too-old', {
          targets: [
            { id: 'orders', arn: ORDERS_FN, retryPolicy: { maximumEventAgeInSeconds: 60 }, deadLetterArn: DLQ_ARN },
          ],
        }),
      ],
      onDeliver: () => {
        clock = new Date(clock.getTime() + 61_000);
        throw new DeliveryError('ERROR_FROM_TARGET', 'Service unavailable (503)', { retryable: true });
      },
    });

    await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    expect(harness.deliveries).toHaveLength(1);
    expect(harness.dlq.messages[0]?.attributes).toMatchObject({
      ERROR_CODE: 'ERROR_FROM_TARGET',
      EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeInSeconds',
      RETRY_ATTEMPTS: '0',
    });
  });

  it('sends a non-retryable failure straight to the dead-letter queue, without EXHAUSTED_RETRY_CONDITION', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [rule('forbidden', { targets: [{ id: 'orders', arn: ORDERS_FN, deadLetterArn: DLQ_ARN }] })],
      onDeliver: () => {
        throw new DeliveryError('NO_PERMISSIONS', 'events.amazonaws.com may not invoke orders', { retryable: false });
      },
    });

    await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    expect(harness.deliveries).toHaveLength(1);
    expect(harness.dlq.messages.map((m) => m.attributes)).toEqual([
      {
        RULE_ARN: ruleArn('core', 'forbidden'),
        TARGET_ARN: ORDERS_FN,
        ERROR_CODE: 'NO_PERMISSIONS',
        ERROR_MESSAGE: 'events.amazonaws.com may not invoke orders',
        RETRY_ATTEMPTS: '0',
      },
    ]);
    expect(harness.bus.metrics).toMatchObject({ retries: 0, deadLettered: 1 });
  });

  it('logs a drop loudly when delivery fails and the target has no dead-letter queue', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [rule('no-dlq', { targets: [{ id: 'orders', arn: ORDERS_FN }] })],
      onDeliver: () => {
        throw new DeliveryError('NO_RESOURCE', 'Function not found', { retryable: false });
      },
    });

    const response = await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    expect(harness.bus.metrics.dropped).toBe(1);
    expect(harness.logs).toContainEqual({
      line: expect.stringContaining('EVENT DROPPED'),
      fields: expect.objectContaining({
        level: 'error',
        eventId: response.Entries?.[0]?.EventId,
        errorCode: 'NO_RESOURCE',
      }),
    });
  });

  it('treats an unexpected rejection from deliver as a retryable INTERNAL_ERROR', async () => {
    harness = await startHarness({
      buses: ['core'],
      rules: [
        rule('crashing', {
          targets: [{ id: 'orders', arn: ORDERS_FN, retryPolicy: { maximumRetryAttempts: 1 }, deadLetterArn: DLQ_ARN }],
        }),
      ],
      onDeliver: () => {
        throw new TypeError('boot bug');
      },
    });

    await harness.client.send(new PutEventsCommand({ Entries: [entry()] }));
    await harness.bus.idle();

    expect(harness.deliveries).toHaveLength(2);
    expect(harness.dlq.messages[0]?.attributes).toMatchObject({
      ERROR_CODE: 'INTERNAL_ERROR',
      ERROR_MESSAGE: 'boot bug',
    });
  });
});

describe('PutEvents validation', () => {
  const startPlain = async (): Promise<Harness> =>
    startHarness({ buses: ['core'], rules: [rule('all', { targets: [{ id: 'orders', arn: ORDERS_FN }] })] });

  it('fails bad entries one by one and delivers the good ones', async () => {
    harness = await startPlain();

    const response = await harness.client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Detail: undefined }),
          entry({ Detail: '[1,2,3]' }),
          entry({ Detail: '{"unterminated": ' }),
          entry({ Source: 'aws.ec2' }),
          entry({ EventBusName: 'no-such-bus' }),
          entry({ DetailType: 'x'.repeat(129) }),
        ],
      }),
    );
    await harness.bus.idle();

    expect(response.FailedEntryCount).toBe(6);
    const [ok, ...failed] = response.Entries ?? [];
    expect(ok?.EventId).toEqual(expect.any(String));
    expect(failed.map((e) => [e.ErrorCode, e.ErrorMessage])).toEqual([
      ['InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.'],
      ['MalformedDetail', 'Detail is malformed.'],
      ['MalformedDetail', 'Detail is malformed.'],
      ['NotAuthorizedForSourceException', 'Not authorized for the source.'],
      ['InvalidArgument', 'Event bus no-such-bus does not exist.'],
      ['InvalidArgument', expect.stringContaining('DetailType')],
    ]);
    expect(failed.every((e) => e.EventId === undefined)).toBe(true);
    expect(harness.deliveries).toHaveLength(1);
    expect(harness.bus.metrics).toMatchObject({ entries: 1, deliveries: 1 });
  });

  it('refuses the whole request when no entry has Source, DetailType and Detail', async () => {
    harness = await startPlain();

    await expect(
      harness.client.send(
        new PutEventsCommand({ Entries: [entry({ Detail: undefined }), entry({ Source: undefined })] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses more than 10 entries', async () => {
    harness = await startPlain();

    await expect(
      harness.client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 10'),
    });
  });

  it('refuses a request whose entries total more than 1 MB, and warns above 256 KB', async () => {
    harness = await startPlain();
    const detailOf = (bytes: number): string => JSON.stringify({ pad: 'x'.repeat(bytes) });

    await expect(
      harness.client.send(
        new PutEventsCommand({ Entries: [entry({ Detail: detailOf(600_000) }), entry({ Detail: detailOf(600_000) })] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('over the limit') });
    expect(harness.deliveries).toHaveLength(0);

    const accepted = await harness.client.send(
      new PutEventsCommand({ Entries: [entry({ Detail: detailOf(300_000) })] }),
    );
    await harness.bus.idle();

    expect(accepted.FailedEntryCount).toBe(0);
    expect(harness.logs.some(({ line }) => line.includes('over 256 KB'))).toBe(true);
    expect(harness.bus.metrics.billedEventChunks).toBe(5);
  });

  it('answers unknown AWSEvents operations and bad JSON with AWS JSON errors, and leaves other requests alone', async () => {
    harness = await startPlain();
    const post = (target: string, body: string): Promise<Response> =>
      fetch(harness!.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });

    const unknown = await post('AWSEvents.ListRules', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await unknown.json()).toEqual({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('ListRules'),
    });

    const badJson = await post('AWSEvents.PutEvents', '{"Entries": [');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ __type: 'SerializationException' });

    const elsewhere = await post('DynamoDB_20120810.ListTables', '{}');
    expect(elsewhere.status).toBe(404);
  });
});

describe('construction', () => {
  const base = {
    region: REGION,
    accountId: ACCOUNT,
    buses: ['core'],
    deliver: async () => undefined,
    deadLetter: async () => undefined,
  };

  it('refuses an invalid event pattern, naming the rule', () => {
    expect(() =>
      createLocalEventBus({
        ...base,
        rules: [rule('good'), rule('bad-pattern', { eventPattern: { source: 'app.x' } })],
      }),
    ).toThrow(
      expect.objectContaining({ name: 'EventPatternError', message: expect.stringContaining('"bad-pattern"') }),
    );
  });

  it.each<[string, Partial<LocalRule>, string]>([
    ['a rule on a bus that does not exist', { eventBusName: 'nope' }, 'UNKNOWN_BUS'],
    [
      'Input together with InputPath',
      { targets: [{ id: 't1', arn: ORDERS_FN, input: '{}', inputPath: '$.detail' }] },
      'INVALID_TARGET',
    ],
    ['Input that is not JSON', { targets: [{ id: 't1', arn: ORDERS_FN, input: '{oops' }] }, 'INVALID_TARGET'],
    [
      'an InputPath with bracket notation',
      { targets: [{ id: 't1', arn: ORDERS_FN, inputPath: "$['detail']" }] },
      'INVALID_TARGET',
    ],
    [
      'a placeholder used as an object key',
      {
        targets: [
          {
            id: 't1',
            arn: ORDERS_FN,
            inputTransformer: { inputPathsMap: { k: '$.source' }, inputTemplate: '{<k>: 1}' },
          },
        ],
      },
      'INVALID_TARGET',
    ],
    [
      'a quoted placeholder used as an object key',
      {
        targets: [
          {
            id: 't1',
            arn: ORDERS_FN,
            inputTransformer: { inputPathsMap: { k: '$.source' }, inputTemplate: '{"<k>": 1}' },
          },
        ],
      },
      'INVALID_TARGET',
    ],
    [
      'a variable named like a reserved one',
      {
        targets: [
          {
            id: 't1',
            arn: ORDERS_FN,
            inputTransformer: { inputPathsMap: { 'AWS.mine': '$.id' }, inputTemplate: '<AWS.mine>' },
          },
        ],
      },
      'INVALID_TARGET',
    ],
    [
      'MaximumRetryAttempts out of range',
      { targets: [{ id: 't1', arn: ORDERS_FN, retryPolicy: { maximumRetryAttempts: 186 } }] },
      'INVALID_TARGET',
    ],
    [
      'MaximumEventAgeInSeconds out of range',
      { targets: [{ id: 't1', arn: ORDERS_FN, retryPolicy: { maximumEventAgeInSeconds: 59 } }] },
      'INVALID_TARGET',
    ],
    [
      'a FIFO dead-letter queue',
      { targets: [{ id: 't1', arn: ORDERS_FN, deadLetterArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq.fifo` }] },
      'INVALID_TARGET',
    ],
    [
      'two targets with one id',
      {
        targets: [
          { id: 't1', arn: ORDERS_FN },
          { id: 't1', arn: AUDIT_FN },
        ],
      },
      'INVALID_TARGET',
    ],
    [
      'six targets',
      { targets: Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, arn: ORDERS_FN })) },
      'TOO_MANY_TARGETS',
    ],
  ])('refuses %s, naming the rule', (_what, overrides, code) => {
    let thrown: unknown;
    try {
      createLocalEventBus({ ...base, rules: [rule('the-rule', overrides)] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'EventBridgeConfigError', code, ruleName: 'the-rule' });
    expect((thrown as EventBridgeConfigError).message).toContain('"the-rule"');
  });
});
