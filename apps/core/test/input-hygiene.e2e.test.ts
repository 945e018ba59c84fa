/**
 * Input hygiene through the local core, under both readings of AppSync's unconfirmed error shapes
 * (aws-behaviour.md: a failed Lambda's `errorType` is its error's name or `Lambda:Unhandled`; a
 * validation error has no `errorType` or graphql-java's `ValidationError`): an id is at most 128
 * characters and not blank, the error's code is in its message whatever the reading, and no error
 * message quotes more than a short prefix of what the client sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootLocalCore, type BootOptions, type LocalCore } from '@core/local';
import { join } from 'node:path';
import { createReservationInput } from './support/contract-driver';
import { LOCAL_STACK } from '../scripts/local-stack';

const assemblyDir = join(__dirname, '..', 'cdk.out');
const LONG = 'x'.repeat(10_000);
const CREATE = `mutation Create($input: CreateReservationInput!) { createReservation(input: $input) { id commandId } }`;

interface GraphQLAnswer {
  data: unknown;
  errors?: { errorType?: string; message: string; path: unknown }[];
}

async function post(core: LocalCore, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const response = await fetch(core.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': core.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as GraphQLAnswer;
}

const readings: [string, BootOptions['appSync'], { lambda: string; validation: string | undefined }][] = [
  [
    'the defaults (error name; no validation errorType)',
    undefined,
    { lambda: 'ValidationError', validation: undefined },
  ],
  [
    'the other reading (Lambda:Unhandled; ValidationError)',
    { lambdaErrorType: 'Lambda:Unhandled', validationErrorType: 'ValidationError' },
    { lambda: 'Lambda:Unhandled', validation: 'ValidationError' },
  ],
];

describe.each(readings)('input hygiene under %s', (_name, appSync, expected) => {
  let core: LocalCore;
  beforeAll(async () => {
    core = await bootLocalCore({
      stacks: [LOCAL_STACK],
      assemblyDir,
      port: 0,
      log: () => undefined,
      ...(appSync === undefined ? {} : { appSync }),
    });
  });
  afterAll(async () => {
    await core.stop();
  });

  it.each([
    ['longer than 128 characters', 'c'.repeat(129)],
    ['blank', '   '],
  ])('refuses a commandId %s, the code in the message, the id not echoed', async (_case, commandId) => {
    const answer = await post(core, CREATE, { input: { ...createReservationInput(1), commandId } });
    const [error] = answer.errors ?? [];
    expect(error?.errorType).toBe(expected.lambda);
    expect(error?.message).toMatch(/^INVALID_ID: commandId must be a non-blank id of at most 128 printable characters/);
    expect(error?.message).not.toContain('ccc');
  });

  it('gives a validation error the errorType of this reading, quoting a short prefix of the value at most', async () => {
    const answer = await post(core, CREATE, { input: { ...createReservationInput(2), dateStart: LONG } });
    const [error, ...others] = answer.errors ?? [];
    expect(others).toEqual([]);
    expect(answer.data).toBeNull();
    expect(error?.errorType).toBe(expected.validation);
    expect(error?.path).toBeNull();
    expect(error?.message.length).toBeLessThan(300);
    expect(error?.message).not.toContain('x'.repeat(40));
  });

  it('quotes a short prefix at most of an unknown field, in a syntax error too', async () => {
    for (const query of [`{ ${'f'.repeat(10_000)} }`, `{ getReservationById(id: "${LONG}) }`]) {
      const [error] = (await post(core, query)).errors ?? [];
      expect(error?.errorType).toBe(expected.validation);
      expect(error?.message.length).toBeLessThan(300);
      expect(error?.message).not.toMatch(/(f{40}|x{40})/);
    }
  });
});
