/**
 * The customer flow with the real handler modules, configured by environment only (as Lambda
 * configures them): dynalite behind the transaction front, and a bus and an AppSync endpoint that
 * capture what they are given. The email's uniqueness is shown with a race.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppSyncResolverEvent } from '@core/runtime/handlers';
import { createEventsTable, startCapturingBus, startCapturingGraphQL, startDynalite } from '@core/runtime/testing';
import { handler as command } from '../src/handlers/command';
import { handler as event } from '../src/handlers/event';
import { handler as query } from '../src/handlers/query';

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let bus: Awaited<ReturnType<typeof startCapturingBus>>;
let appsync: Awaited<ReturnType<typeof startCapturingGraphQL>>;
const lambda = { awsRequestId: 'req-1' };

beforeAll(async () => {
  dynamo = await startDynalite();
  await createEventsTable(dynamo.client, 'customer-events');
  bus = await startCapturingBus();
  appsync = await startCapturingGraphQL();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
    EVENTS_TABLE_NAME: 'customer-events',
    EVENT_BUS_NAME: 'core',
    EVENT_SOURCE: 'core.customer',
    GRAPHQL_URL: appsync.url,
  });
});
afterAll(async () => {
  await Promise.all([dynamo.close(), bus.close(), appsync.close()]);
});

const mutation = (fieldName: string, input: Record<string, unknown>): AppSyncResolverEvent => ({
  arguments: { input },
  identity: { userArn: 'arn:aws:iam::000000000000:role/frontend-server' },
  info: { fieldName, parentTypeName: 'Mutation' },
});
const getCustomer = (id: string) =>
  query({ arguments: { id }, identity: null, info: { fieldName: 'getCustomerById', parentTypeName: 'Query' } }, lambda);

/** Sends the commands, then delivers every commit they published at once, as the bus rule would. */
async function sendAndDeliver(...mutations: AppSyncResolverEvent[]) {
  const from = bus.accepted.length;
  const accepted = await Promise.all(mutations.map((each) => command(each, lambda)));
  const outcomes = await Promise.all(
    bus.accepted
      .slice(from)
      .map((entry) =>
        event({ id: 'evt', source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) }),
      ),
  );
  return { accepted, outcomes };
}

describe('customer flow: register → store → notify', () => {
  it('registers a customer and answers the query with it', async () => {
    const { accepted, outcomes } = await sendAndDeliver(
      mutation('registerCustomer', { email: 'grace@example.com', name: 'Grace', commandId: 'reg-grace' }),
    );
    expect(outcomes[0]).toMatchObject({ status: 'STORED', version: 1 });
    expect(await getCustomer(accepted[0]?.id ?? '')).toEqual({
      id: accepted[0]?.id,
      email: 'grace@example.com',
      name: 'Grace',
      status: 'ACTIVE',
      version: 1,
    });
  });

  it('makes exactly one customer of two registrations racing for one email (in any case)', async () => {
    const { accepted, outcomes } = await sendAndDeliver(
      mutation('registerCustomer', { email: 'ada@example.com', name: 'Ada', commandId: 'race-1' }),
      mutation('registerCustomer', { email: 'ADA@example.com', name: 'Ada too', commandId: 'race-2' }),
    );
    expect(outcomes.map((outcome) => outcome?.status).sort()).toEqual(['REJECTED', 'STORED']);
    expect(outcomes.find((outcome) => outcome?.status === 'REJECTED')).toMatchObject({
      error: { code: 'EMAIL_ALREADY_REGISTERED', message: 'email:ada@example.com belongs to another customer' },
    });
    const found = await Promise.all(accepted.map((each) => getCustomer(each.id)));
    expect(found.filter((customer) => customer !== null)).toHaveLength(1);
    const rejected = JSON.parse(appsync.requests.at(-1)?.body ?? '{}').variables.input;
    expect(['race-1', 'race-2']).toContain(rejected.commandId);
  });

  it('rejects a change to an email another customer holds, and frees an email on deactivation', async () => {
    const { accepted } = await sendAndDeliver(
      mutation('registerCustomer', { email: 'hopper@example.com', name: 'Hopper' }),
    );
    const id = accepted[0]?.id ?? '';
    const taken = await sendAndDeliver(mutation('changeCustomerDetails', { id, email: 'grace@example.com' }));
    expect(taken.outcomes[0]).toMatchObject({ status: 'REJECTED', error: { code: 'EMAIL_ALREADY_REGISTERED' } });
    expect(await getCustomer(id)).toMatchObject({ email: 'hopper@example.com', version: 1 });

    await sendAndDeliver(mutation('deactivateCustomer', { id }));
    const again = await sendAndDeliver(
      mutation('registerCustomer', { email: 'Hopper@example.com', name: 'Hopper again' }),
    );
    expect(again.outcomes[0]).toMatchObject({ status: 'STORED' });
  });

  it('answers malformed input as ValidationError, and a rule at once, publishing nothing', async () => {
    const before = bus.accepted.length;
    await expect(
      command(mutation('registerCustomer', { email: 'not-an-email', name: 'X' }), lambda),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^INVALID_EMAIL: /) });
    await expect(command(mutation('deactivateCustomer', { id: 'no-such-customer' }), lambda)).rejects.toMatchObject({
      name: 'BusinessRuleViolation',
      message: expect.stringMatching(/^CUSTOMER_NOT_FOUND/),
    });
    expect(bus.accepted).toHaveLength(before);
  });
});

describe('a registration with a credit line (external events)', () => {
  it('publishes the payment account opening for the payment aggregate first, then its own commit', async () => {
    const from = bus.accepted.length;
    const accepted = await command(
      mutation('registerCustomer', { email: 'lin@example.com', name: 'Lin', creditLimit: 50_000, currency: 'EUR' }),
      lambda,
    );
    const [external, own] = bus.accepted.slice(from);
    expect([external?.DetailType, own?.DetailType]).toEqual(['ExternalCommit', 'Commit']);
    expect(JSON.parse(external?.Detail ?? '{}')).toMatchObject({
      aggregate: 'payment',
      streamId: `account-${accepted.id}`,
      expectedVersion: 0,
      events: [
        {
          type: 'PaymentAccountOpened',
          data: { accountId: `account-${accepted.id}`, customerId: accepted.id, creditLimit: 50_000, currency: 'EUR' },
        },
      ],
    });
  });

  it('refuses half a credit line', async () => {
    await expect(
      command(mutation('registerCustomer', { email: 'half@example.com', name: 'Half', creditLimit: 1 }), lambda),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^INVALID_CURRENCY/) });
  });
});
