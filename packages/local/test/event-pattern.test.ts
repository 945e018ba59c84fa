import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { assertValidEventPattern, matchesEventPattern, validateEventPattern } from '../src/eventbridge/event-pattern';
import { EventPatternError } from '../src/errors';

/** One vector of fixtures/conformance/eventbridge-patterns.json (see the README beside it). */
interface ConformanceCase {
  readonly id: string;
  readonly source: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly match: boolean;
}

const EXPECTED_CASE_COUNT = 809;
const CONFORMANCE_FILE = path.join(__dirname, 'fixtures', 'conformance', 'eventbridge-patterns.json');

function isConformanceCase(value: unknown): value is ConformanceCase {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return (
    typeof record['id'] === 'string' &&
    typeof record['source'] === 'string' &&
    'pattern' in record &&
    'event' in record &&
    typeof record['match'] === 'boolean'
  );
}

/** Reads the vectors, or explains why they could not be read (reported by a failing test). */
function loadConformance(file: string): { cases: ConformanceCase[]; error?: string } {
  if (!existsSync(file)) {
    return {
      cases: [],
      error: `EventBridge conformance file not found at ${file}.`,
    };
  }
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isConformanceCase)) {
    return { cases: [], error: `${file} is not an array of {id, source, pattern, event, match} objects.` };
  }
  return { cases: parsed };
}

const conformance = loadConformance(CONFORMANCE_FILE);

describe('EventBridge event patterns: conformance vectors', () => {
  it(`loads all ${EXPECTED_CASE_COUNT} vectors from the conformance file`, () => {
    if (conformance.error !== undefined) {
      throw new Error(conformance.error);
    }
    expect(conformance.cases).toHaveLength(EXPECTED_CASE_COUNT);
  });

  it('accepts every conformance pattern as valid', () => {
    const refused = conformance.cases
      .map((vector) => ({ id: vector.id, problems: validateEventPattern(vector.pattern) }))
      .filter((result) => result.problems.length > 0);
    expect(refused).toEqual([]);
  });

  // it.each refuses an empty table; the loading test above already fails in that case.
  if (conformance.cases.length > 0) {
    it.each(conformance.cases)('$id matches $match', (vector) => {
      expect(matchesEventPattern(vector.pattern, vector.event)).toBe(vector.match);
    });
  }
});

describe('matchesEventPattern', () => {
  const envelope = {
    source: 'app.orders',
    'detail-type': 'OrderPlaced',
    detail: { total: 250, items: [{ sku: 'A-1' }, { sku: 'B-2' }], note: null },
  };

  it('matches nested fields, arrays in the event and numeric ranges', () => {
    const pattern = {
      source: ['app.orders'],
      detail: { total: [{ numeric: ['>', 100, '<=', 250] }], items: { sku: ['B-2'] } },
    };
    expect(matchesEventPattern(pattern, envelope)).toBe(true);
  });

  it('treats dotted pattern keys as nested paths', () => {
    expect(matchesEventPattern({ 'detail.items.sku': [{ prefix: 'A-' }] }, envelope)).toBe(true);
  });

  it('never matches when the pattern or the event is not an object', () => {
    expect(matchesEventPattern(null, envelope)).toBe(false);
    expect(matchesEventPattern({ source: ['app.orders'] }, 'app.orders')).toBe(false);
  });
});

describe('validateEventPattern', () => {
  /**
   * Each row: a pattern EventBridge refuses, and a fragment of the problem we report.
   * Rows marked "AWS" come from LocalStack's `*_EXC` templates, which real AWS refused.
   */
  const invalidPatterns: ReadonlyArray<readonly [description: string, pattern: unknown, fragment: string]> = [
    ['a pattern that is not an object', ['source'], 'Filter is not an object'],
    ['null as the pattern', null, 'Filter is not an object'],
    ['an empty pattern', {}, 'Empty objects are not allowed'],
    ['a leaf string (AWS)', { string: 'my-value' }, '"string" must be an object or an array'],
    ['a leaf number (AWS)', { int: 42 }, '"int" must be an object or an array'],
    ['an empty value list (AWS)', { resources: [] }, 'Empty arrays are not allowed'],
    ['an array inside a value list', { a: [['x']] }, 'Match value must be String, number, true, false, or null'],
    ['an unknown operator', { a: [{ foo: 1 }] }, 'Unrecognized match type foo'],
    ['an upper-case operator (AWS)', { my_key: [{ EXISTS: true }] }, 'Unrecognized match type EXISTS'],
    [
      'two operators in one expression',
      { a: [{ prefix: 'x', suffix: 'y' }] },
      'Only one key allowed in match expression',
    ],
    ['a numeric prefix (AWS)', { time: [{ prefix: 123 }] }, 'prefix match pattern must be a string'],
    ['a list as prefix (AWS)', { time: [{ prefix: ['2022-07-13'] }] }, 'prefix match pattern must be a string'],
    ['a numeric suffix (AWS)', { FileName: [{ suffix: 123 }] }, 'suffix match pattern must be a string'],
    ['an unknown suffix sub-operator', { a: [{ suffix: { wildcard: 'x' } }] }, 'Unsupported suffix pattern: wildcard'],
    [
      'a list as equals-ignore-case (AWS)',
      { 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] },
      'equals-ignore-case match pattern must be a string',
    ],
    ['a numeric wildcard (AWS)', { EventBusArn: [{ wildcard: 123 }] }, 'wildcard match pattern must be a string'],
    [
      'consecutive wildcards (AWS)',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
      'Consecutive wildcard characters',
    ],
    ['a backslash escaping a letter in a wildcard', { a: [{ wildcard: 'a\\b*' }] }, 'Invalid escape character'],
    ['numeric not given an array (AWS)', { 'c-count': [{ numeric: 10 }] }, 'Value of numeric must be an array'],
    ['an operand-less numeric range (AWS)', { 'c-count': [{ numeric: ['>', 0, '<'] }] }, 'Value of < must be numeric'],
    [
      'a range with two lower bounds (AWS)',
      { 'c-count': [{ numeric: ['>', 0, '>', 0] }] },
      'Bad numeric range operator: >',
    ],
    ['an unknown numeric operator', { a: [{ numeric: ['!=', 5] }] }, 'Unrecognized numeric range operator: !='],
    ['a string numeric operand', { a: [{ numeric: ['>', '5'] }] }, 'Value of > must be numeric'],
    ['a range starting with <', { a: [{ numeric: ['<', 5, '>', 1] }] }, 'only > and >= can start a range'],
    ['an empty numeric range', { a: [{ numeric: ['>', 10, '<', 5] }] }, 'Bottom must be less than top'],
    ['exists with a string', { a: [{ exists: 'yes' }] }, 'exists match pattern must be either true or false'],
    ['a cidr that is not a string (AWS)', { ip: [{ cidr: ['bad-type'] }] }, 'cidr match pattern must be a string'],
    ['a cidr without a mask (AWS)', { ip: [{ cidr: 'bad-filter' }] }, "one '/' required"],
    ['a cidr with a bad address (AWS)', { ip: [{ cidr: 'xx.11.xx/8' }] }, 'invalid IP address: xx.11.xx'],
    ['a cidr with a bad IPv6 address (AWS)', { ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] }, 'invalid IP address'],
    ['a cidr with a bad mask (AWS)', { ip: [{ cidr: 'bad-/64filter' }] }, 'mask bits must be a non-negative integer'],
    ['an IPv4 mask above 31', { ip: [{ cidr: '10.0.0.0/33' }] }, 'IPv4 mask bits must be < 32'],
    [
      'anything-but null (AWS)',
      { state: [{ 'anything-but': null }] },
      'Value of anything-but must be an array or single string/number value',
    ],
    [
      'anything-but with null in its list (AWS)',
      { state: [{ 'anything-but': ['stopped', null] }] },
      'start|null|boolean is not supported',
    ],
    [
      'anything-but mixing strings and numbers',
      { state: [{ 'anything-but': ['a', 1] }] },
      'mixed type is not supported',
    ],
    [
      'anything-but with an unknown sub-operator',
      { state: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'Unsupported anything-but pattern: numeric',
    ],
    [
      'anything-but prefix ""  (AWS)',
      { FileName: [{ 'anything-but': { prefix: '' } }] },
      'Null prefix/suffix not allowed',
    ],
    [
      'anything-but suffix ""  (AWS)',
      { FileName: [{ 'anything-but': { suffix: '' } }] },
      'Null prefix/suffix not allowed',
    ],
    [
      'anything-but numeric prefix (AWS)',
      { state: [{ 'anything-but': { prefix: 123 } }] },
      'anything-but prefix match pattern must be a string',
    ],
    [
      'anything-but mixed prefix list (AWS)',
      { state: [{ 'anything-but': { prefix: [123, 'test'] } }] },
      'anything-but prefix match pattern must be a string',
    ],
    [
      'anything-but suffix list with null (AWS)',
      { FileName: [{ 'anything-but': { suffix: [null, '.txt'] } }] },
      'anything-but suffix match pattern must be a string',
    ],
    [
      'anything-but prefix ignoring case (AWS)',
      { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] },
      'anything-but prefix match pattern must be a string',
    ],
    [
      'anything-but numeric equals-ignore-case (AWS)',
      { state: [{ 'anything-but': { 'equals-ignore-case': [123, 456] } }] },
      'Inside anything-but/equals-ignore-case list',
    ],
    [
      'anything-but wildcard list with a number (AWS)',
      { state: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] },
      'anything-but wildcard match pattern must be a string',
    ],
    [
      'anything-but wildcard with **',
      { state: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] },
      'Consecutive wildcard characters',
    ],
    ['$or that is not an array', { $or: { a: ['1'] } }, '$or must be an array of at least 2 objects'],
    ['$or with a single branch', { $or: [{ a: ['1'] }] }, 'at least 2 objects in a $or relationship'],
    ['$or with a non-object branch', { $or: [{ a: ['1'] }, 'b'] }, 'Only JSON objects are allowed in the array of $or'],
    ['a reserved name inside $or', { $or: [{ prefix: ['1'] }, { b: ['2'] }] }, '"prefix" is a reserved field name'],
    ['a pattern over 2048 characters', { a: ['x'.repeat(2100)] }, 'EventBridge allows at most 2048'],
  ];

  it.each(invalidPatterns)('refuses %s', (_description, pattern, fragment) => {
    const problems = validateEventPattern(pattern);
    expect(problems.join('\n')).toContain(fragment);
  });

  it('accepts patterns using every supported operator', () => {
    const pattern = {
      source: ['app.orders', { prefix: 'app.' }, { suffix: { 'equals-ignore-case': '.ORDERS' } }],
      'detail-type': [{ 'equals-ignore-case': 'orderplaced' }, { wildcard: 'Order\\*Placed*' }],
      detail: {
        total: [{ numeric: ['>=', 0, '<', 1000] }, { numeric: ['=', 5] }, 5, null, true],
        state: [{ 'anything-but': ['cancelled', 'refunded'] }, { exists: false }],
        sku: [{ 'anything-but': { wildcard: ['X-*', 'Y-*'] } }, { 'anything-but': { prefix: 'tmp-' } }],
        ip: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/64' }],
        $or: [{ a: [{ 'anything-but': 1 }] }, { b: [{ 'anything-but': { 'equals-ignore-case': ['x'] } }] }],
      },
    };
    expect(validateEventPattern(pattern)).toEqual([]);
  });

  it('reports every problem with the path where it was found', () => {
    const problems = validateEventPattern({ detail: { state: [{ prefix: 1 }], count: [] } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^detail\.state\[0\]: prefix match pattern must be a string/);
    expect(problems[1]).toMatch(/^detail\.count: Empty arrays are not allowed/);
  });
});

describe('assertValidEventPattern', () => {
  it('returns quietly for a valid pattern', () => {
    expect(() => assertValidEventPattern({ source: ['app.orders'] }, 'OrdersRule')).not.toThrow();
  });

  it('throws an EventPatternError naming the rule and listing the problems', () => {
    let caught: unknown;
    try {
      assertValidEventPattern({ source: [{ foo: 1 }] }, 'OrdersRule');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventPatternError);
    const error = caught as EventPatternError;
    expect(error.name).toBe('EventPatternError');
    expect(error.message).toContain('Rule "OrdersRule" has an invalid event pattern');
    expect(error.message).toContain('source[0]: Unrecognized match type foo');
    expect(error.problems).toEqual(['source[0]: Unrecognized match type foo']);
  });
});
