import { describe, expect, it } from '@jest/globals';
import { evaluateJsonPath, parseJsonPath } from '../src/eventbridge/json-path';
import { validatePutEvents, type PutEventsEnvironment } from '../src/eventbridge/put-events';
import { compileTargetInput, renderTargetInput } from '../src/eventbridge/target-input';
import type { EventEnvelope, LocalInputTransformer } from '../src/eventbridge/types';

const envelope: EventEnvelope = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Thing Happened',
  source: 'app.things',
  account: '111122223333',
  time: '2026-11-28T18:43:48Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::bucket'],
  detail: { name: 'Ada "the first"', count: 3, tags: { a: 1, b: 2 }, list: [10, 20] },
};
const context = { ruleName: 'r', ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/r', ingestionTime: 'T' };

const read = (path: string): unknown => {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) throw new Error(parsed.problem);
  const result = evaluateJsonPath(parsed.segments, envelope);
  return result.found ? result.value : 'NOT FOUND';
};

const transform = (inputTransformer: LocalInputTransformer): unknown =>
  renderTargetInput(compileTargetInput({ id: 't', arn: 'arn', inputTransformer }, 'r'), envelope, context).input;

describe('JSONPath subset', () => {
  it.each<[string, unknown]>([
    ['$', envelope],
    ['$.detail-type', 'Thing Happened'],
    ['$.detail.list[1]', 20],
    ['$.detail.list.0', 10],
    ['$.resources[0]', 'arn:aws:s3:::bucket'],
    ['$.detail.tags.*', [1, 2]],
    ['$.detail.list[*]', [10, 20]],
    ['$.detail.missing', 'NOT FOUND'],
    ['$.detail.list[5]', 'NOT FOUND'],
  ])('%s', (path, expected) => {
    expect(read(path)).toEqual(expected);
  });

  it.each(['detail', '$..detail', "$['detail']", '$.detail[?(@.x)]', '$.'])('refuses %s', (path) => {
    expect(parseJsonPath(path).ok).toBe(false);
  });
});

describe('InputTransformer templates', () => {
  it('escapes values placed inside JSON strings and keeps escaped quotes of the template', () => {
    expect(
      transform({
        inputPathsMap: { name: '$.detail.name', tags: '$.detail.tags' },
        inputTemplate: '{"text": "\\"<name>\\" has <tags>", "tags": <tags>}',
      }),
    ).toEqual({ text: '"Ada "the first"" has {"a":1,"b":2}', tags: { a: 1, b: 2 } });
  });

  it('places adjacent placeholders and leaves unknown <words> alone', () => {
    expect(
      transform({
        inputPathsMap: { a: '$.detail.count', b: '$.source' },
        inputTemplate: '"<a><b> <c> <aws.events.rule-name>"',
      }),
    ).toBe('3app.things <c> r');
  });

  it('inserts plain text unescaped in a template that is not JSON', () => {
    expect(transform({ inputPathsMap: { name: '$.detail.name' }, inputTemplate: 'Hello <name>, "welcome"' })).toBe(
      'Hello Ada "the first", "welcome"',
    );
  });

  it('gives a JSON array template its values', () => {
    expect(transform({ inputPathsMap: { list: '$.detail.list' }, inputTemplate: '[<list>, "<list>"]' })).toEqual([
      [10, 20],
      '[10,20]',
    ]);
  });

  it('delivers a broken JSON template as text', () => {
    expect(transform({ inputPathsMap: { n: '$.detail.count' }, inputTemplate: '{"n": <n>' })).toBe('{"n": 3');
  });
});

describe('PutEvents entry checks', () => {
  const env: PutEventsEnvironment = {
    region: 'us-east-1',
    accountId: '111122223333',
    busExists: (name) => name === 'default' || name === 'core',
    now: new Date('2026-01-01T00:00:00.900Z'),
    newEventId: () => 'id-1',
  };
  const entry = { Source: 's', DetailType: 'd', Detail: '{}' };

  it('reads Time as epoch seconds or RFC 3339, and uses the call time otherwise', () => {
    const times = validatePutEvents(
      { Entries: [{ ...entry, Time: 1764355428.9 }, { ...entry, Time: '2026-02-03T04:05:06.7Z' }, entry] },
      env,
    ).accepted.map((accepted) => accepted.envelope.time);
    expect(times).toEqual(['2025-11-28T18:43:48Z', '2026-02-03T04:05:06Z', '2026-01-01T00:00:00Z']);
  });

  it('refuses Detail nested deeper than 1000 levels', () => {
    const deep = (levels: number): string => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    const { results } = validatePutEvents(
      {
        Entries: [
          { ...entry, Detail: deep(1000) },
          { ...entry, Detail: deep(1001) },
        ],
      },
      env,
    );
    expect(results).toEqual([
      { EventId: 'id-1' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
  });

  it('accepts a bus ARN only in its own region and account', () => {
    const { results } = validatePutEvents(
      {
        Entries: [
          { ...entry, EventBusName: 'arn:aws:events:us-east-1:111122223333:event-bus/core' },
          { ...entry, EventBusName: 'arn:aws:events:eu-west-1:111122223333:event-bus/core' },
          { ...entry, EventBusName: 'arn:aws:events:us-east-1:444455556666:event-bus/core' },
        ],
      },
      env,
    );
    expect(results.map((result) => ('ErrorCode' in result ? result.ErrorCode : 'ok'))).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
    ]);
  });

  it('refuses a request without Entries or with none', () => {
    expect(() => validatePutEvents({}, env)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', awsErrorType: 'ValidationException' }),
    );
    expect(() => validatePutEvents({ Entries: [] }, env)).toThrow(
      expect.objectContaining({
        code: 'INVALID_REQUEST',
        awsErrorType: 'ValidationException',
        message: expect.stringContaining('greater than or equal to 1'),
      }),
    );
  });
});
