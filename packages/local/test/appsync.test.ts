/**
 * Unit tests of the AppSync endpoint's pieces: schema built-ins and directive rules, scalars,
 * resolver events and the NONE rule, filtering, SigV4 checks and configuration errors.
 */
import { describe, expect, it } from '@jest/globals';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import {
  buildAppSyncSchema,
  createAppSyncApi,
  verifySigV4,
  type AppSyncApiOptions,
  type LambdaResult,
} from '../src/appsync';
import type { Caller } from '../src/appsync/auth';
import { AppSyncConfigError } from '../src/errors';
import { Executor } from '../src/appsync/execute';
import { passThroughResult, type ResolverDeps } from '../src/appsync/resolvers';
import { byFieldName, selectionSetList } from '../src/appsync/selection';
import { SubscriptionRegistry, filterOf, matchesFilter } from '../src/appsync/subscriptions';
import { ACCOUNT_ID, API_ID, IAM_ALLOWED, REGION, TEST_SCHEMA, testPrincipals } from './appsync-fixtures';

const API_KEY_CALLER: Caller = { mode: 'API_KEY', sourceIp: '10.0.0.1' };

function options(overrides: Partial<AppSyncApiOptions> = {}): AppSyncApiOptions {
  return {
    schema: TEST_SCHEMA,
    apiId: API_ID,
    region: REGION,
    accountId: ACCOUNT_ID,
    defaultAuth: 'API_KEY',
    additionalAuth: [],
    apiKeys: ['k'],
    iamPrincipals: new Map(),
    resolvers: [],
    invokeLambda: async () => ({ ok: true, value: null }),
    ...overrides,
  };
}

describe('schema', () => {
  it('declares the AWS scalars and directives the SDL uses without declaring', () => {
    const { schema } = buildAppSyncSchema(TEST_SCHEMA, 'API_KEY');

    expect(schema.getType('AWSDateTime')).toBeDefined();
    expect(schema.getDirective('aws_subscribe')).toBeDefined();
  });

  it('keeps declarations the SDL already has', () => {
    const sdl = 'scalar AWSJSON\ndirective @aws_iam on OBJECT | FIELD_DEFINITION\ntype Query { a: AWSJSON @aws_iam }';

    expect(() => buildAppSyncSchema(sdl, 'API_KEY')).not.toThrow();
  });

  it('resolves auth modes field first, then type, then the default mode', () => {
    const appSchema = buildAppSyncSchema(TEST_SCHEMA, 'API_KEY');

    expect([...appSchema.allowedModes('Mutation', 'notify')]).toEqual(['AWS_IAM']);
    expect([...appSchema.allowedModes('Notification', 'status')].sort()).toEqual(['API_KEY', 'AWS_IAM']);
    expect([...appSchema.allowedModes('Reservation', 'secret')]).toEqual(['AWS_IAM']);
    expect([...appSchema.allowedModes('Reservation', 'note')]).toEqual(['API_KEY']);
    expect([...appSchema.allowedModes('Mutation', 'reserve')]).toEqual(['API_KEY']);
  });

  it('maps each mutation to the subscriptions that listen to it', () => {
    const appSchema = buildAppSyncSchema(TEST_SCHEMA, 'API_KEY');

    expect(appSchema.subscriptionsOf('notify')).toEqual(['onNotification']);
    expect(appSchema.subscriptionsOf('reserve')).toEqual(['onCommand']);
  });

  it('refuses @aws_subscribe naming a missing mutation or one of another type', () => {
    const base = 'type A { id: ID } type B { id: ID } type Query { a: A } type Mutation { m: A }';

    expect(() =>
      buildAppSyncSchema(`${base} type Subscription { s: A @aws_subscribe(mutations: ["x"]) }`, 'API_KEY'),
    ).toThrow(/"x"/);
    expect(() =>
      buildAppSyncSchema(`${base} type Subscription { s: B @aws_subscribe(mutations: ["m"]) }`, 'API_KEY'),
    ).toThrow(/same type/);
  });

  it('says what is wrong with an SDL that does not build', () => {
    expect(() => buildAppSyncSchema('type Query { a: Missing }', 'API_KEY')).toThrow(AppSyncConfigError);
  });
});

describe('AWS scalars', () => {
  const { schema } = buildAppSyncSchema(TEST_SCHEMA, 'API_KEY');
  const scalar = (name: string) => {
    const type = schema.getType(name);
    if (!type || !('serialize' in type)) {
      throw new Error(name);
    }
    return type;
  };

  it('validates AWSDateTime, which needs an offset', () => {
    expect(scalar('AWSDateTime').parseValue('2026-11-28T10:00:00.123Z')).toBe('2026-11-28T10:00:00.123Z');
    expect(scalar('AWSDateTime').parseValue('2026-11-28T10:00:00+01:00')).toBe('2026-11-28T10:00:00+01:00');
    expect(() => scalar('AWSDateTime').parseValue('2026-11-28T10:00:00')).toThrow(/AWSDateTime/);
    expect(() => scalar('AWSDateTime').serialize('yesterday')).toThrow();
  });

  it('validates the other string scalars', () => {
    expect(scalar('AWSDate').parseValue('2026-11-28')).toBe('2026-11-28');
    expect(() => scalar('AWSDate').parseValue('2026-13-01')).toThrow();
    expect(scalar('AWSTime').parseValue('23:59:59.999Z')).toBe('23:59:59.999Z');
    expect(scalar('AWSEmail').parseValue('a@example.com')).toBe('a@example.com');
    expect(() => scalar('AWSEmail').parseValue('not-an-email')).toThrow();
    expect(scalar('AWSURL').parseValue('https://example.com/x')).toBe('https://example.com/x');
    expect(() => scalar('AWSURL').parseValue('example.com')).toThrow();
    expect(scalar('AWSIPAddress').parseValue('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(scalar('AWSIPAddress').parseValue('::1')).toBe('::1');
    expect(() => scalar('AWSIPAddress').parseValue('10.0.0.300')).toThrow();
    expect(scalar('AWSPhone').parseValue('+1 206 555 0100')).toBe('+1 206 555 0100');
  });

  it('parses AWSJSON input for resolvers and serializes any value as a JSON string', () => {
    expect(scalar('AWSJSON').parseValue('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(() => scalar('AWSJSON').parseValue('{a: 1}')).toThrow();
    expect(scalar('AWSJSON').serialize({ a: 1 })).toBe('{"a":1}');
    expect(scalar('AWSJSON').serialize('{"a":1}')).toBe('{"a":1}');
  });

  it('takes AWSTimestamp as whole seconds', () => {
    expect(scalar('AWSTimestamp').parseValue(1764324000)).toBe(1764324000);
    expect(() => scalar('AWSTimestamp').parseValue(1.5)).toThrow();
    expect(() => scalar('AWSTimestamp').parseValue('1764324000')).toThrow();
  });
});

describe('NONE pass-through rule', () => {
  const { schema } = buildAppSyncSchema(
    `type N { id: ID!, status: String }
     input NI { id: ID!, status: String }
     type Query { q: N }
     type Mutation { byInput(input: NI!): N, byArgs(id: ID!, status: String): N, wrapped(input: NI!, id: ID): N, json(data: AWSJSON): AWSJSON }`,
    'API_KEY',
  );
  const field = (name: string) => {
    const found = schema.getMutationType()?.getFields()[name];
    if (!found) {
      throw new Error(name);
    }
    return found;
  };

  it('returns the single input object argument', () => {
    expect(passThroughResult(field('byInput'), { input: { id: '1', status: 'S' } })).toEqual({ id: '1', status: 'S' });
  });

  it('returns the arguments when they are the fields of the return type', () => {
    expect(passThroughResult(field('byArgs'), { id: '1', status: 'S' })).toEqual({ id: '1', status: 'S' });
  });

  it('returns the arguments as AppSync does otherwise', () => {
    expect(passThroughResult(field('wrapped'), { input: { id: '1' }, id: '2' })).toEqual({
      input: { id: '1' },
      id: '2',
    });
    expect(passThroughResult(field('json'), { data: { a: 1 } })).toEqual({ data: { a: 1 } });
  });
});

describe('selection sets', () => {
  const document = parse(`
    mutation { notify(input: {id: "1", commandId: "c", status: "s"}) { theId: id ...F ... on Notification { detail } } }
    fragment F on Notification { status }
  `);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const fragments = { F: document.definitions[1] } as Parameters<typeof selectionSetList>[1];
  const field = operation.selectionSet.selections[0] as FieldNode;

  it('lists selected paths with aliases, fragments expanded', () => {
    expect(selectionSetList(field.selectionSet, fragments)).toEqual(['theId', 'status', 'detail']);
    const nested = parse('{ a { b c { d } } }').definitions[0] as OperationDefinitionNode;
    expect(selectionSetList(nested.selectionSet, {})).toEqual(['a', 'a/b', 'a/c', 'a/c/d']);
  });

  it('re-keys a response by field name for publishing', () => {
    expect(byFieldName(field.selectionSet, { theId: '1', status: 's', detail: null }, fragments)).toEqual({
      id: '1',
      status: 's',
      detail: null,
    });
  });
});

describe('subscription filters', () => {
  it('ANDs arguments and ignores absent and null ones', () => {
    expect(matchesFilter(filterOf({ id: 'A', commandId: null }), { id: 'A', commandId: 'x' })).toBe(true);
    expect(matchesFilter(filterOf({ id: 'A', commandId: 'c' }), { id: 'A', commandId: 'x' })).toBe(false);
    expect(matchesFilter(filterOf({}), { id: 'A' })).toBe(true);
  });

  it('never matches a field the payload lacks', () => {
    expect(matchesFilter({ commandId: 'c' }, { id: 'A' })).toBe(false);
  });

  it('delivers only to matching subscriptions of the published fields', () => {
    const registry = new SubscriptionRegistry();
    const received: string[] = [];
    registry.add({ fieldName: 'onX', filter: { id: 'A' }, deliver: () => received.push('A') });
    registry.add({ fieldName: 'onX', filter: {}, deliver: () => received.push('all') });
    registry.add({ fieldName: 'onY', filter: {}, deliver: () => received.push('other field') });

    expect(registry.publish(['onX'], { id: 'B' })).toBe(1);
    expect(received).toEqual(['all']);
  });
});

describe('SigV4 verification', () => {
  const body = '{"query":"{ whoami }"}';

  async function sign(overrides: { region?: string; service?: string; headers?: Record<string, string> } = {}) {
    const signer = new SignatureV4({
      credentials: IAM_ALLOWED,
      region: overrides.region ?? REGION,
      service: overrides.service ?? 'appsync',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        hostname: 'localhost',
        path: '/graphql',
        headers: { host: 'localhost:4000', ...overrides.headers },
        body,
      }),
    );
    return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  }

  function verify(headers: Record<string, string>, sentBody = body) {
    return verifySigV4(
      { method: 'POST', path: '/graphql', query: {}, headers, body: sentBody },
      { region: REGION, service: 'appsync', principals: testPrincipals(), now: new Date(), maxSkewMs: 300_000 },
    );
  }

  it('accepts a signature made with the principal secret', async () => {
    expect(await verify(await sign())).toMatchObject({ ok: true, accessKeyId: IAM_ALLOWED.accessKeyId });
  });

  it('refuses a signature scoped to another region or service', async () => {
    expect(await verify(await sign({ region: 'eu-west-1' }))).toMatchObject({
      ok: false,
      message: expect.stringContaining('region'),
    });
    expect(await verify(await sign({ service: 'execute-api' }))).toMatchObject({
      ok: false,
      message: expect.stringContaining('service'),
    });
  });

  it('refuses a body that does not match x-amz-content-sha256', async () => {
    expect(await verify(await sign(), '{"query":"{ other }"}')).toMatchObject({ ok: false });
  });

  it('refuses a signed header that was not sent', async () => {
    const headers = await sign({ headers: { 'x-extra': 'yes' } });
    delete headers['x-extra'];

    expect(await verify(headers)).toMatchObject({ ok: false, message: expect.stringContaining('x-extra') });
  });
});

describe('createAppSyncApi configuration', () => {
  it('refuses auth modes that do not run locally', () => {
    expect(() => createAppSyncApi(options({ additionalAuth: ['AMAZON_COGNITO_USER_POOLS'] }))).toThrow(
      /AMAZON_COGNITO_USER_POOLS.*not support/,
    );
  });

  it('refuses a resolver on a field that does not exist, and two on one field', () => {
    expect(() =>
      createAppSyncApi(options({ resolvers: [{ typeName: 'Mutation', fieldName: 'nope', kind: 'NONE' }] })),
    ).toThrow(/Mutation\.nope/);
    expect(() =>
      createAppSyncApi(
        options({
          resolvers: [
            { typeName: 'Mutation', fieldName: 'notify', kind: 'NONE' },
            { typeName: 'Mutation', fieldName: 'notify', kind: 'NONE' },
          ],
        }),
      ),
    ).toThrow(/Two resolvers/);
  });
});

describe('execution', () => {
  const sdl = `
    type Room { id: ID!, booking: Booking }
    type Booking { id: ID!, guest: String }
    type Query { room(id: ID!): Room }
  `;

  function executor(
    invokeLambda: ResolverDeps['invokeLambda'],
    lambdaErrorType: ResolverDeps['lambdaErrorType'] = 'name',
    schema = sdl,
  ): Executor {
    const deps: ResolverDeps = {
      appSchema: buildAppSyncSchema(schema, 'API_KEY'),
      shouldPublish: () => true,
      validationErrorType: undefined,
      resolvers: new Map([
        [
          'Query.room',
          {
            typeName: 'Query',
            fieldName: 'room',
            kind: 'LAMBDA',
            functionArn: 'arn:aws:lambda:us-east-1:0:function:room',
          },
        ],
        [
          'Room.booking',
          {
            typeName: 'Room',
            fieldName: 'booking',
            kind: 'LAMBDA',
            functionArn: 'arn:aws:lambda:us-east-1:0:function:booking',
          },
        ],
      ]),
      invokeLambda,
      lambdaErrorType,
      region: REGION,
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      log: () => undefined,
    };
    return new Executor(deps, new SubscriptionRegistry());
  }

  async function run(target: Executor, query: string) {
    const prepared = target.prepare({ query });
    if (!prepared.ok) {
      return prepared.body;
    }
    return target.run(prepared.request, { caller: API_KEY_CALLER, headers: { 'x-api-key': 'k' } });
  }

  it('answers a document sent again with other variables as the first time, and an invalid one with its errors each time', async () => {
    const target = executor(async (_arn, event) => ({
      ok: true,
      value: { id: (event as { arguments: { id: string } }).arguments.id },
    }));
    const query = 'query Room($id: ID!) { room(id: $id) { id } }';
    for (const id of ['r1', 'r2']) {
      const prepared = target.prepare({ query, variables: { id } });
      if (!prepared.ok) throw new Error('a valid document was refused');
      expect(await target.run(prepared.request, { caller: API_KEY_CALLER, headers: {} })).toEqual({
        data: { room: { id } },
      });
    }
    for (let i = 0; i < 2; i++) {
      expect(target.prepare({ query: '{ room(id: "r1") { nope } }' })).toMatchObject({
        ok: false,
        body: { errors: [expect.objectContaining({ message: expect.stringContaining('nope') })] },
      });
    }
  });

  it('gives a nested resolver its parent as source', async () => {
    const events: unknown[] = [];
    const target = executor(async (arn, event): Promise<LambdaResult> => {
      events.push(event);
      return arn.endsWith(':room')
        ? { ok: true, value: { id: 'r1' } }
        : { ok: true, value: { id: 'b1', guest: 'Ada' } };
    });

    expect(await run(target, '{ room(id: "r1") { id booking { guest } } }')).toEqual({
      data: { room: { id: 'r1', booking: { guest: 'Ada' } } },
    });
    expect(events[1]).toMatchObject({
      source: { id: 'r1' },
      info: { fieldName: 'booking', parentTypeName: 'Room', selectionSetList: ['guest'] },
    });
  });

  it('reports Lambda:Unhandled as errorType when configured so', async () => {
    const target = executor(
      async () => ({ ok: false, errorType: 'RoomTakenError', errorMessage: 'taken' }),
      'Lambda:Unhandled',
    );

    expect(await run(target, '{ room(id: "r1") { id } }')).toMatchObject({
      errors: [{ errorType: 'Lambda:Unhandled', message: 'taken' }],
    });
  });

  it('reports a Lambda runner failure as a field error', async () => {
    const target = executor(async () => {
      throw new Error('runner crashed');
    });

    expect(await run(target, '{ room(id: "r1") { id } }')).toMatchObject({
      data: { room: null },
      errors: [{ path: ['room'], errorType: 'Lambda:Unhandled', message: 'runner crashed' }],
    });
  });

  it("authorizes every field of a subscription event with the subscriber's own mode", async () => {
    const target = executor(
      async () => ({ ok: true, value: null }),
      'name',
      `${sdl}
       type Item @aws_api_key @aws_iam { id: ID!, secret: String @aws_iam }
       type Mutation { put(id: ID!, secret: String): Item @aws_iam }
       type Subscription { onPut: Item @aws_subscribe(mutations: ["put"]) @aws_api_key }`,
    );
    const prepared = target.prepare({ query: 'subscription { onPut { id secret } }' });
    if (!prepared.ok) {
      throw new Error('the subscription should validate');
    }

    expect(
      await target.shapeEvent(prepared.request, { caller: API_KEY_CALLER, headers: {} }, { id: '1', secret: 's' }),
    ).toMatchObject({
      data: { onPut: { id: '1', secret: null } },
      errors: [
        {
          path: ['onPut', 'secret'],
          errorType: 'Unauthorized',
          message: 'Not Authorized to access secret on type Item',
        },
      ],
    });
  });

  it("uses AppSync's wording for a null in a non-null field", async () => {
    const target = executor(async () => ({ ok: true, value: { id: null } }));

    expect(await run(target, '{ room(id: "r1") { id } }')).toEqual({
      data: { room: null },
      errors: [
        {
          path: ['room', 'id'],
          locations: null,
          message: "Cannot return null for non-nullable type: 'ID' within parent 'Room' (/room/id)",
        },
      ],
    });
  });
});
