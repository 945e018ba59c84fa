/**
 * EventBridge event-pattern matching and validation.
 *
 * The semantics follow aws/event-ruler, the engine behind Amazon EventBridge:
 *
 * - Both the pattern and the event are seen as flat lists of dotted paths
 *   (`{"a":{"b":1}}` and `{"a.b":1}` are the same thing), and arrays in the
 *   event are flattened, so a field matches when any of its elements matches.
 * - A pattern object is an AND of its fields, a value list is an OR of its
 *   elements, and `$or` is an OR of whole sub-patterns.
 * - Only leaf values (string, number, boolean, null) take part in matching;
 *   objects and empty arrays are not values.
 *
 * Nothing here does I/O; the only import is the package's error class.
 */
import { EventPatternError } from '../errors';

/** A JSON scalar, as found at a leaf of an event. */
type LeafValue = string | number | boolean | null;

/** A JSON object seen through `unknown` glasses. */
type JsonObject = { readonly [key: string]: unknown };

/** The leaf values of an event, keyed by their dotted path (for example `detail.state`). */
type FlatEvent = ReadonlyMap<string, readonly LeafValue[]>;

/** The key that turns an array of sub-patterns into an OR. */
const OR_KEY = '$or';

/** EventBridge's limit on the length of an event pattern, in characters. */
const MAX_PATTERN_LENGTH = 2048;

/** Numeric comparison operators accepted inside `{"numeric": [...]}`. */
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

/** Operators that may be nested inside `{"anything-but": {...}}`. */
const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
type AnythingButOperator = (typeof ANYTHING_BUT_OPERATORS)[number];

/**
 * Field names that event-ruler reserves and refuses anywhere inside a `$or` branch
 * (so that a branch cannot be confused with a match expression).
 */
const RESERVED_NAMES_IN_OR = new Set<string>([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Tells whether an EventBridge event pattern matches an event.
 *
 * Pure: no I/O, no mutation of its arguments. The pattern is expected to be
 * valid (see {@link validateEventPattern}); parts of an invalid pattern simply
 * do not match. A pattern or an event that is not a JSON object never matches.
 *
 * @param pattern - the event pattern, already parsed from JSON
 * @param event - the event, already parsed from JSON (usually the full envelope
 *   with `source`, `detail-type`, `detail`, …)
 * @returns `true` when every field of the pattern is satisfied by the event
 *
 * @example
 * ```ts
 * const pattern = { source: ['app.orders'], detail: { total: [{ numeric: ['>', 100] }] } };
 * matchesEventPattern(pattern, { source: 'app.orders', detail: { total: 250 } }); // true
 * matchesEventPattern(pattern, { source: 'app.orders', detail: { total: 50 } });  // false
 * ```
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isJsonObject(pattern) || !isJsonObject(event)) {
    return false;
  }
  return matchesPatternObject(pattern, '', flattenEvent(event));
}

/**
 * Lists the reasons EventBridge would refuse an event pattern.
 *
 * @param pattern - the event pattern, already parsed from JSON
 * @returns human-readable problems, each starting with the path where it was
 *   found; an empty array means the pattern is valid
 *
 * @example
 * ```ts
 * validateEventPattern({ source: ['app.orders'] });        // []
 * validateEventPattern({ source: 'app.orders' });          // ['source: "source" must be an object or an array (got a string)']
 * validateEventPattern({ detail: { n: [{ foo: 1 }] } });   // ['detail.n[0]: Unrecognized match type foo']
 * ```
 */
export function validateEventPattern(pattern: unknown): string[] {
  if (!isJsonObject(pattern)) {
    return [`(root): Filter is not an object (got ${describeType(pattern)}); an event pattern must be a JSON object`];
  }
  const problems: string[] = [];
  validatePatternObject(pattern, '', false, problems);
  validatePatternLength(pattern, problems);
  return problems;
}

/**
 * Throws an {@link EventPatternError} naming the rule when its event pattern is invalid.
 *
 * @param pattern - the rule's event pattern, already parsed from JSON
 * @param ruleName - the rule's name, used in the error message
 * @throws EventPatternError listing every problem found by {@link validateEventPattern}
 *
 * @example
 * ```ts
 * assertValidEventPattern({ source: ['app.orders'] }, 'OrdersRule'); // returns
 * assertValidEventPattern({ source: [] }, 'OrdersRule');
 * // throws EventPatternError: Rule "OrdersRule" has an invalid event pattern:
 * //   - source: Empty arrays are not allowed
 * ```
 */
export function assertValidEventPattern(pattern: unknown, ruleName: string): void {
  const problems = validateEventPattern(pattern);
  if (problems.length > 0) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n');
    throw new EventPatternError(`Rule "${ruleName}" has an invalid event pattern:\n${list}`, problems);
  }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeafValue(value: unknown): value is LeafValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumericOperator(value: unknown): value is NumericOperator {
  return NUMERIC_OPERATORS.some((operator) => operator === value);
}

function joinPath(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Reads a one-key object such as `{"prefix": "a"}` as a name and an operand. */
function singleEntry(expression: JsonObject): [name: string, operand: unknown] | undefined {
  const entries = Object.entries(expression);
  const [first] = entries;
  return entries.length === 1 ? first : undefined;
}

/** A string or a list of strings, as accepted by the anything-but sub-operators. */
function asStringList(operand: unknown): readonly string[] | undefined {
  if (isString(operand)) {
    return [operand];
  }
  if (Array.isArray(operand) && operand.every(isString)) {
    return operand;
  }
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// ---------------------------------------------------------------------------
// Event flattening
// ---------------------------------------------------------------------------

/**
 * Collects every leaf value of the event under its dotted path. Array elements
 * share their parent's path, so `{"a":[{"b":1},{"b":2}]}` gives `a.b → [1, 2]`.
 */
function flattenEvent(event: JsonObject): FlatEvent {
  const fields = new Map<string, LeafValue[]>();
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const element of value) {
        visit(element, path);
      }
    } else if (isJsonObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        visit(child, joinPath(path, key));
      }
    } else if (isLeafValue(value)) {
      const values = fields.get(path);
      if (values === undefined) {
        fields.set(path, [value]);
      } else {
        values.push(value);
      }
    }
  };
  visit(event, '');
  return fields;
}

// ---------------------------------------------------------------------------
// Matching: structure
// ---------------------------------------------------------------------------

/** A pattern object matches when every one of its fields matches (AND). */
function matchesPatternObject(pattern: JsonObject, prefix: string, fields: FlatEvent): boolean {
  return Object.entries(pattern).every(([key, value]) => matchesPatternField(key, value, prefix, fields));
}

function matchesPatternField(key: string, value: unknown, prefix: string, fields: FlatEvent): boolean {
  if (key === OR_KEY) {
    return matchesOr(value, prefix, fields);
  }
  const path = joinPath(prefix, key);
  if (Array.isArray(value)) {
    return matchesValueList(value, fields.get(path) ?? []);
  }
  if (isJsonObject(value)) {
    return matchesPatternObject(value, path, fields);
  }
  return false;
}

/** `"$or": [p1, p2, …]` matches when any branch matches; branches share the enclosing path. */
function matchesOr(branches: unknown, prefix: string, fields: FlatEvent): boolean {
  if (!Array.isArray(branches)) {
    return false;
  }
  return branches.some((branch) => isJsonObject(branch) && matchesPatternObject(branch, prefix, fields));
}

/** A value list matches when any of its elements matches (OR). */
function matchesValueList(list: readonly unknown[], values: readonly LeafValue[]): boolean {
  return list.some((element) =>
    isJsonObject(element) ? matchesExpression(element, values) : values.some((value) => matchesExactly(element, value)),
  );
}

// ---------------------------------------------------------------------------
// Matching: operators
// ---------------------------------------------------------------------------

/**
 * Applies one match expression (`{"prefix": "a"}`, `{"exists": false}`, …) to
 * all the values the event holds at the field's path.
 */
function matchesExpression(expression: JsonObject, values: readonly LeafValue[]): boolean {
  const entry = singleEntry(expression);
  if (entry === undefined) {
    return false;
  }
  const [name, operand] = entry;
  switch (name) {
    case 'exists':
      return matchesExists(operand, values);
    case 'anything-but':
      return values.some((value) => matchesAnythingBut(operand, value));
    case 'prefix':
      return values.some((value) => matchesPrefix(operand, value));
    case 'suffix':
      return values.some((value) => matchesSuffix(operand, value));
    case 'equals-ignore-case':
      return values.some((value) => isString(operand) && isString(value) && equalsIgnoreCase(operand, value));
    case 'wildcard':
      return values.some((value) => isString(operand) && isString(value) && matchesWildcard(operand, value));
    case 'numeric':
      return values.some((value) => matchesNumeric(operand, value));
    case 'cidr':
      return values.some((value) => matchesCidr(operand, value));
    default:
      return false;
  }
}

/**
 * An exact value: strings match strings, numbers match numbers by value
 * (`300` matches `300.0`), and `true`, `false`, `null` match themselves.
 * A string that is an IP address matches the same address written another way.
 */
function matchesExactly(expected: unknown, value: LeafValue): boolean {
  if (isString(expected)) {
    return isString(value) && stringsMatchExactly(expected, value);
  }
  if (isFiniteNumber(expected)) {
    return typeof value === 'number' && value === expected;
  }
  return (expected === null || typeof expected === 'boolean') && value === expected;
}

function stringsMatchExactly(expected: string, value: string): boolean {
  const expectedIp = parseIpAddress(expected);
  if (expectedIp === undefined) {
    return expected === value;
  }
  const valueIp = parseIpAddress(value);
  return valueIp !== undefined && sameBytes(expectedIp, valueIp);
}

/** `exists: true` needs at least one leaf value at the path; `exists: false` needs none. */
function matchesExists(operand: unknown, values: readonly LeafValue[]): boolean {
  switch (operand) {
    case true:
      return values.length > 0;
    case false:
      return values.length === 0;
    default:
      return false;
  }
}

/** `{"prefix": "a"}` or `{"prefix": {"equals-ignore-case": "a"}}`; strings only. */
function matchesPrefix(operand: unknown, value: LeafValue): boolean {
  if (!isString(value)) {
    return false;
  }
  if (isString(operand)) {
    return value.startsWith(operand);
  }
  const ignoringCase = equalsIgnoreCaseOperand(operand);
  return ignoringCase !== undefined && startsWithIgnoreCase(value, ignoringCase);
}

/** `{"suffix": "a"}` or `{"suffix": {"equals-ignore-case": "a"}}`; strings only. */
function matchesSuffix(operand: unknown, value: LeafValue): boolean {
  if (!isString(value)) {
    return false;
  }
  if (isString(operand)) {
    return value.endsWith(operand);
  }
  const ignoringCase = equalsIgnoreCaseOperand(operand);
  return ignoringCase !== undefined && endsWithIgnoreCase(value, ignoringCase);
}

/** Reads `{"equals-ignore-case": "text"}` (the nested form used by prefix and suffix). */
function equalsIgnoreCaseOperand(operand: unknown): string | undefined {
  if (!isJsonObject(operand)) {
    return undefined;
  }
  const entry = singleEntry(operand);
  return entry !== undefined && entry[0] === 'equals-ignore-case' && isString(entry[1]) ? entry[1] : undefined;
}

/**
 * anything-but matches any value present in the event that is not excluded —
 * including `null` and values of another type (`12` is "anything but" a prefix).
 * A missing field has no value, so it never matches.
 */
function matchesAnythingBut(operand: unknown, value: LeafValue): boolean {
  if (isJsonObject(operand)) {
    return matchesAnythingButExpression(operand, value);
  }
  const excluded: readonly unknown[] = Array.isArray(operand) ? operand : [operand];
  if (!excluded.every((item) => isString(item) || isFiniteNumber(item))) {
    return false;
  }
  return !excluded.some((item) => item === value);
}

/** anything-but with a nested `prefix`, `suffix`, `equals-ignore-case` or `wildcard`. */
function matchesAnythingButExpression(expression: JsonObject, value: LeafValue): boolean {
  const entry = singleEntry(expression);
  if (entry === undefined) {
    return false;
  }
  const [name, operand] = entry;
  const excluded = asStringList(operand);
  if (!isAnythingButOperator(name) || excluded === undefined) {
    return false;
  }
  return !isString(value) || !excluded.some((text) => excludesString(name, text, value));
}

/** Whether one anything-but sub-operand (a prefix, a suffix, …) rules out a string value. */
function excludesString(operator: AnythingButOperator, text: string, value: string): boolean {
  switch (operator) {
    case 'prefix':
      return value.startsWith(text);
    case 'suffix':
      return value.endsWith(text);
    case 'equals-ignore-case':
      return equalsIgnoreCase(text, value);
    case 'wildcard':
      return matchesWildcard(text, value);
  }
}

function isAnythingButOperator(name: string): name is AnythingButOperator {
  return ANYTHING_BUT_OPERATORS.some((operator) => operator === name);
}

/** `{"numeric": [">", 0, "<=", 5]}`: every comparison must hold; numbers only. */
function matchesNumeric(operand: unknown, value: LeafValue): boolean {
  if (typeof value !== 'number' || !Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    return false;
  }
  for (let index = 0; index < operand.length; index += 2) {
    const operator: unknown = operand[index];
    const bound: unknown = operand[index + 1];
    if (!isNumericOperator(operator) || !isFiniteNumber(bound) || !compareNumbers(value, operator, bound)) {
      return false;
    }
  }
  return true;
}

function compareNumbers(value: number, operator: NumericOperator, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

/** `{"cidr": "10.0.0.0/24"}`: the value must be an IP address string inside the block. */
function matchesCidr(operand: unknown, value: LeafValue): boolean {
  if (!isString(operand) || !isString(value)) {
    return false;
  }
  const block = parseCidr(operand);
  const address = parseIpAddress(value);
  return block !== undefined && address !== undefined && cidrContains(block, address);
}

// ---------------------------------------------------------------------------
// Case-insensitive comparison
// ---------------------------------------------------------------------------

/*
 * As in event-ruler, each character of the pattern matches itself, its lower-case
 * form or its upper-case form, even when those differ in length ("ß" matches "SS").
 * The comparison is compiled to a regular expression for that reason.
 */

function equalsIgnoreCase(pattern: string, value: string): boolean {
  return new RegExp(`^${caseInsensitiveSource(pattern)}$`, 'u').test(value);
}

function startsWithIgnoreCase(value: string, prefix: string): boolean {
  return new RegExp(`^${caseInsensitiveSource(prefix)}`, 'u').test(value);
}

function endsWithIgnoreCase(value: string, suffix: string): boolean {
  return new RegExp(`${caseInsensitiveSource(suffix)}$`, 'u').test(value);
}

function caseInsensitiveSource(text: string): string {
  let source = '';
  for (const character of text) {
    const variants = new Set([character, character.toLowerCase(), character.toUpperCase()]);
    const escaped = [...variants].map(escapeRegExp);
    source += escaped.length === 1 ? (escaped[0] ?? '') : `(?:${escaped.join('|')})`;
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------

/** A wildcard pattern cut at its unescaped `*`s: N stars give N + 1 literal segments. */
type WildcardParse = { readonly segments: readonly string[] } | { readonly problem: string };

/**
 * Splits a wildcard pattern into literal segments. `\*` is a literal star and
 * `\\` a literal backslash; any other backslash, and two stars in a row, are errors.
 */
function parseWildcard(pattern: string): WildcardParse {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern.charAt(index);
    const next = pattern.charAt(index + 1);
    if (character === '*') {
      if (next === '*') {
        return { problem: `Consecutive wildcard characters at pos ${index}` };
      }
      segments.push(current);
      current = '';
    } else if (character === '\\') {
      if (next !== '*' && next !== '\\') {
        return { problem: `Invalid escape character at pos ${index}` };
      }
      current += next;
      index += 1;
    } else {
      current += character;
    }
  }
  segments.push(current);
  return { segments };
}

/** Glob match where `*` stands for any run of characters, including none. */
function matchesWildcard(pattern: string, value: string): boolean {
  const parsed = parseWildcard(pattern);
  if ('problem' in parsed) {
    return false;
  }
  const { segments } = parsed;
  const first = segments[0] ?? '';
  if (segments.length === 1) {
    return value === first;
  }
  const last = segments[segments.length - 1] ?? '';
  const end = value.length - last.length;
  if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  let position = first.length;
  for (const middle of segments.slice(1, -1)) {
    const found = value.indexOf(middle, position);
    if (found === -1 || found + middle.length > end) {
      return false;
    }
    position = found + middle.length;
  }
  return true;
}

// ---------------------------------------------------------------------------
// IP addresses and CIDR blocks
// ---------------------------------------------------------------------------

interface CidrBlock {
  readonly address: readonly number[];
  readonly maskBits: number;
}

type CidrParse = { readonly block: CidrBlock } | { readonly problem: string };

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses an IPv4 (`10.0.0.1`) or IPv6 (`2001:db8::1`) literal into its bytes
 * (4 or 16). IPv4-mapped IPv6 addresses (`::ffff:a00:1`) become IPv4, as in Java.
 */
function parseIpAddress(text: string): readonly number[] | undefined {
  if (IPV4_SHAPE.test(text)) {
    return parseIpv4(text);
  }
  if (IPV6_SHAPE.test(text)) {
    const bytes = parseIpv6(text);
    return bytes !== undefined && isIpv4Mapped(bytes) ? bytes.slice(12) : bytes;
  }
  return undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const octets = text.split('.');
  if (!octets.every((octet) => IPV4_OCTET.test(octet) && Number(octet) <= 255)) {
    return undefined;
  }
  return octets.map(Number);
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const head = parseIpv6Groups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) {
    return undefined;
  }
  const written = head.length + tail.length;
  const compressed = halves.length === 2;
  if (compressed ? written > 7 : written !== 8) {
    return undefined;
  }
  const groups = [...head, ...new Array<number>(8 - written).fill(0), ...tail];
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') {
    return [];
  }
  const groups = text.split(':');
  if (!groups.every((group) => IPV6_GROUP.test(group))) {
    return undefined;
  }
  return groups.map((group) => Number.parseInt(group, 16));
}

function isIpv4Mapped(bytes: readonly number[]): boolean {
  return bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function sameBytes(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

/** Parses `address/maskBits`, with event-ruler's rules and messages. */
function parseCidrOrProblem(text: string): CidrParse {
  const parts = text.split('/');
  const [addressText, maskText] = parts;
  if (parts.length !== 2 || addressText === undefined || maskText === undefined) {
    return { problem: `Malformed CIDR "${text}", one '/' required` };
  }
  if (!/^[0-9]+$/.test(maskText)) {
    return { problem: `Malformed CIDR "${text}", mask bits must be a non-negative integer` };
  }
  const address = parseIpAddress(addressText);
  if (address === undefined) {
    return { problem: `Malformed CIDR "${text}", invalid IP address: ${addressText}` };
  }
  const maskBits = Number(maskText);
  if (address.length === 4 && maskBits > 31) {
    return { problem: `Malformed CIDR "${text}", IPv4 mask bits must be < 32` };
  }
  if (address.length === 16 && maskBits > 127) {
    return { problem: `Malformed CIDR "${text}", IPv6 mask bits must be < 128` };
  }
  return { block: { address, maskBits } };
}

function parseCidr(text: string): CidrBlock | undefined {
  const parsed = parseCidrOrProblem(text);
  return 'block' in parsed ? parsed.block : undefined;
}

/** True when the first `maskBits` bits of the address equal those of the block. */
function cidrContains(block: CidrBlock, address: readonly number[]): boolean {
  if (address.length !== block.address.length) {
    return false;
  }
  for (let byteIndex = 0; byteIndex < address.length; byteIndex += 1) {
    const fixedBits = Math.min(8, Math.max(0, block.maskBits - byteIndex * 8));
    const mask = (0xff << (8 - fixedBits)) & 0xff;
    if (((address[byteIndex] ?? 0) & mask) !== ((block.address[byteIndex] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Validation: structure
// ---------------------------------------------------------------------------

function where(path: string): string {
  return path === '' ? '(root)' : path;
}

/**
 * Checks a pattern object: it must not be empty, and each field must hold an
 * object (nesting), a non-empty array (a value list) or, for `$or`, branches.
 */
function validatePatternObject(pattern: JsonObject, prefix: string, insideOr: boolean, problems: string[]): void {
  const entries = Object.entries(pattern);
  if (entries.length === 0) {
    problems.push(`${where(prefix)}: Empty objects are not allowed`);
  }
  for (const [key, value] of entries) {
    if (key === OR_KEY) {
      validateOr(value, prefix, problems);
      continue;
    }
    const path = joinPath(prefix, key);
    if (insideOr && RESERVED_NAMES_IN_OR.has(key)) {
      problems.push(`${path}: "${key}" is a reserved field name which cannot be used inside ${OR_KEY}`);
    }
    if (Array.isArray(value)) {
      validateValueList(value, path, problems);
    } else if (isJsonObject(value)) {
      validatePatternObject(value, path, insideOr, problems);
    } else {
      problems.push(`${path}: "${key}" must be an object or an array (got ${describeType(value)})`);
    }
  }
}

function validateOr(branches: unknown, prefix: string, problems: string[]): void {
  const path = joinPath(prefix, OR_KEY);
  if (!Array.isArray(branches)) {
    problems.push(`${path}: ${OR_KEY} must be an array of at least 2 objects (got ${describeType(branches)})`);
    return;
  }
  if (branches.length < 2) {
    problems.push(`${path}: There must be at least 2 objects in a ${OR_KEY} relationship`);
  }
  branches.forEach((branch, index) => {
    if (isJsonObject(branch)) {
      validatePatternObject(branch, prefix, true, problems);
    } else {
      problems.push(
        `${path}[${index}]: Only JSON objects are allowed in the array of ${OR_KEY} (got ${describeType(branch)})`,
      );
    }
  });
}

function validateValueList(list: readonly unknown[], path: string, problems: string[]): void {
  if (list.length === 0) {
    problems.push(`${path}: Empty arrays are not allowed`);
  }
  list.forEach((element, index) => {
    const at = `${path}[${index}]`;
    if (isJsonObject(element)) {
      validateExpression(element, at, problems);
    } else if (!isLeafValue(element)) {
      problems.push(`${at}: Match value must be String, number, true, false, or null (got ${describeType(element)})`);
    }
  });
}

// ---------------------------------------------------------------------------
// Validation: operators
// ---------------------------------------------------------------------------

/** Checks one match expression such as `{"prefix": "a"}`. */
function validateExpression(expression: JsonObject, at: string, problems: string[]): void {
  const entries = Object.entries(expression);
  const [first] = entries;
  if (first === undefined) {
    problems.push(`${at}: Match expression name not found (empty object)`);
    return;
  }
  if (entries.length > 1) {
    problems.push(`${at}: Only one key allowed in match expression (got ${entries.map(([name]) => name).join(', ')})`);
    return;
  }
  const problem = operandProblem(first[0], first[1]);
  if (problem !== undefined) {
    problems.push(`${at}: ${problem}`);
  }
}

/** Returns what is wrong with an operator's operand, or `undefined` if nothing is. */
function operandProblem(name: string, operand: unknown): string | undefined {
  switch (name) {
    case 'prefix':
    case 'suffix':
      return prefixOrSuffixProblem(name, operand);
    case 'equals-ignore-case':
      return isString(operand) ? undefined : 'equals-ignore-case match pattern must be a string';
    case 'wildcard':
      return isString(operand) ? wildcardProblem(operand) : 'wildcard match pattern must be a string';
    case 'anything-but':
      return anythingButProblem(operand);
    case 'numeric':
      return numericProblem(operand);
    case 'exists':
      return typeof operand === 'boolean' ? undefined : 'exists match pattern must be either true or false.';
    case 'cidr':
      return cidrProblem(operand);
    default:
      return `Unrecognized match type ${name}`;
  }
}

function prefixOrSuffixProblem(name: 'prefix' | 'suffix', operand: unknown): string | undefined {
  if (isString(operand)) {
    return undefined;
  }
  if (!isJsonObject(operand)) {
    return `${name} match pattern must be a string`;
  }
  const entry = singleEntry(operand);
  if (entry === undefined) {
    return `${name} expression must hold exactly one key, "equals-ignore-case"`;
  }
  if (entry[0] !== 'equals-ignore-case') {
    return `Unsupported ${name} pattern: ${entry[0]}`;
  }
  return isString(entry[1]) ? undefined : 'equals-ignore-case match pattern must be a string';
}

function wildcardProblem(pattern: string): string | undefined {
  const parsed = parseWildcard(pattern);
  return 'problem' in parsed ? `wildcard "${pattern}": ${parsed.problem}` : undefined;
}

function cidrProblem(operand: unknown): string | undefined {
  if (!isString(operand)) {
    return 'cidr match pattern must be a string';
  }
  const parsed = parseCidrOrProblem(operand);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/**
 * anything-but takes a string, a number, a non-empty list of only strings or only
 * numbers, or an object with one of prefix, suffix, equals-ignore-case or wildcard.
 */
function anythingButProblem(operand: unknown): string | undefined {
  if (isString(operand) || isFiniteNumber(operand)) {
    return undefined;
  }
  if (Array.isArray(operand)) {
    return anythingButListProblem(operand);
  }
  if (isJsonObject(operand)) {
    return anythingButExpressionProblem(operand);
  }
  return `Value of anything-but must be an array or single string/number value (got ${describeType(operand)})`;
}

function anythingButListProblem(list: readonly unknown[]): string | undefined {
  if (!list.every((item) => isString(item) || isFiniteNumber(item))) {
    return 'Inside anything-but list, start|null|boolean is not supported.';
  }
  if (list.length === 0 || !(list.every(isString) || list.every(isFiniteNumber))) {
    return 'Inside anything-but list, either all values are number or string, mixed type is not supported';
  }
  return undefined;
}

function anythingButExpressionProblem(expression: JsonObject): string | undefined {
  const entry = singleEntry(expression);
  if (entry === undefined) {
    return 'anything-but expression must hold exactly one of prefix, suffix, equals-ignore-case or wildcard';
  }
  const [name, operand] = entry;
  if (!isAnythingButOperator(name)) {
    return `Unsupported anything-but pattern: ${name}`;
  }
  const texts = asStringList(operand);
  if (texts === undefined) {
    return name === 'equals-ignore-case'
      ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
      : `anything-but ${name} match pattern must be a string or a list of strings (got ${describeType(operand)})`;
  }
  if ((name === 'prefix' || name === 'suffix') && texts.includes('')) {
    return `Null prefix/suffix not allowed in anything-but ${name}`;
  }
  if (name === 'wildcard') {
    return texts.map(wildcardProblem).find((problem) => problem !== undefined);
  }
  return undefined;
}

/**
 * numeric takes `[op, n]` with op one of = < <= > >=, or a range
 * `[">" | ">=", low, "<" | "<=", high]` with low < high.
 */
function numericProblem(operand: unknown): string | undefined {
  if (!Array.isArray(operand)) {
    return `Value of numeric must be an array (got ${describeType(operand)}).`;
  }
  const [operator, bound, secondOperator, secondBound] = operand;
  if (operand.length === 0) {
    return 'Value of numeric must not be empty: give an operator and a number, e.g. [">", 0]';
  }
  if (!isNumericOperator(operator)) {
    return `Unrecognized numeric range operator: ${String(operator)}`;
  }
  if (!isFiniteNumber(bound)) {
    return `Value of ${operator} must be numeric`;
  }
  if (operand.length === 2) {
    return undefined;
  }
  if (operator !== '>' && operator !== '>=') {
    return `Too many elements in numeric expression: only > and >= can start a range`;
  }
  if (secondOperator !== '<' && secondOperator !== '<=') {
    return `Bad numeric range operator: ${String(secondOperator)} (a range ends with < or <=)`;
  }
  if (!isFiniteNumber(secondBound)) {
    return `Value of ${secondOperator} must be numeric`;
  }
  if (operand.length > 4) {
    return 'Too many terms in numeric range expression';
  }
  return bound < secondBound ? undefined : 'Bottom must be less than top';
}

function validatePatternLength(pattern: JsonObject, problems: string[]): void {
  const length = JSON.stringify(pattern).length;
  if (length > MAX_PATTERN_LENGTH) {
    problems.push(
      `(root): Event pattern is ${length} characters long; EventBridge allows at most ${MAX_PATTERN_LENGTH}`,
    );
  }
}
