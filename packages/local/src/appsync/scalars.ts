/**
 * AppSync's built-in scalars (docs: "Scalar types in AWS AppSync"), checked the way AppSync does:
 * values in variables and literals are validated, values a resolver returns are validated on output.
 *
 * `AWSJSON` is the one scalar whose internal value differs from its wire form: an input string is
 * parsed, so a resolver gets a map/list/scalar (AppSync: "automatically parsed and loaded … as Maps,
 * Lists, or Scalar values"); on output a string is passed through when it is valid JSON, anything
 * else is serialized with `JSON.stringify`.
 */
import { isIP } from 'node:net';
import { GraphQLError, Kind, print, type GraphQLScalarType, type ValueNode } from 'graphql';

/** The names of AppSync's built-in scalars, declared for the schema when it doesn't declare them. */
export const AWS_SCALAR_NAMES = [
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
] as const;

type AwsScalarName = (typeof AWS_SCALAR_NAMES)[number];

/** The three functions graphql-js calls on a scalar. */
interface ScalarBehaviour {
  serialize(value: unknown): unknown;
  parseValue(value: unknown): unknown;
  parseLiteral(node: ValueNode): unknown;
}

const OFFSET = '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const DATE = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?';
const DATE_PATTERN = new RegExp(`^${DATE}${OFFSET}?$`);
const TIME_PATTERN = new RegExp(`^${TIME}${OFFSET}?$`);
// The offset is compulsory in AWSDateTime.
const DATE_TIME_PATTERN = new RegExp(`^${DATE}T${TIME}${OFFSET}$`);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{2,}$/;

function fail(name: string, value: unknown, node?: ValueNode): never {
  const shown = node ? print(node) : JSON.stringify(value);
  throw new GraphQLError(`Invalid ${name} value: ${shown}`, node ? { nodes: node } : undefined);
}

/** A string scalar whose values must pass `accepts`. */
function stringScalar(name: string, accepts: (value: string) => boolean): ScalarBehaviour {
  const check = (value: unknown, node?: ValueNode): string => {
    if (typeof value !== 'string' || !accepts(value)) {
      fail(name, value, node);
    }
    return value;
  };
  return {
    serialize: (value) => check(value),
    parseValue: (value) => check(value),
    parseLiteral: (node) => check(node.kind === Kind.STRING ? node.value : undefined, node),
  };
}

function isUrl(value: string): boolean {
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

function isIpAddress(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) {
    return false;
  }
  if (prefix === undefined) {
    return true;
  }
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
}

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** Converts a literal in a query (`{a: 1}` or `"{\"a\":1}"`) to the value a resolver sees. */
function jsonLiteral(node: ValueNode): unknown {
  if (node.kind !== Kind.STRING) {
    fail('AWSJSON', undefined, node);
  }
  if (!isJson(node.value)) {
    fail('AWSJSON', undefined, node);
  }
  return JSON.parse(node.value);
}

const awsJson: ScalarBehaviour = {
  serialize: (value) => {
    if (typeof value === 'string') {
      return isJson(value) ? value : fail('AWSJSON', value);
    }
    return JSON.stringify(value);
  },
  parseValue: (value) => {
    if (typeof value !== 'string' || !isJson(value)) {
      fail('AWSJSON', value);
    }
    return JSON.parse(value);
  },
  parseLiteral: jsonLiteral,
};

function checkTimestamp(value: unknown, node?: ValueNode): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail('AWSTimestamp', value, node);
  }
  return value;
}

const awsTimestamp: ScalarBehaviour = {
  serialize: (value) => checkTimestamp(value),
  parseValue: (value) => checkTimestamp(value),
  parseLiteral: (node) => checkTimestamp(node.kind === Kind.INT ? Number(node.value) : undefined, node),
};

const BEHAVIOURS: Record<AwsScalarName, ScalarBehaviour> = {
  AWSDate: stringScalar('AWSDate', (v) => DATE_PATTERN.test(v)),
  AWSTime: stringScalar('AWSTime', (v) => TIME_PATTERN.test(v)),
  AWSDateTime: stringScalar('AWSDateTime', (v) => DATE_TIME_PATTERN.test(v)),
  AWSTimestamp: awsTimestamp,
  AWSEmail: stringScalar('AWSEmail', (v) => EMAIL_PATTERN.test(v)),
  AWSJSON: awsJson,
  AWSURL: stringScalar('AWSURL', isUrl),
  AWSPhone: stringScalar('AWSPhone', (v) => PHONE_PATTERN.test(v)),
  AWSIPAddress: stringScalar('AWSIPAddress', isIpAddress),
};

/**
 * Gives a scalar built from its SDL declaration AppSync's behaviour. graphql-js builds declared
 * scalars as pass-through; this replaces their three functions in place, which is how a schema built
 * from SDL gets custom scalars without rebuilding every type that refers to them.
 */
export function installAwsScalar(scalar: GraphQLScalarType): void {
  const behaviour = (BEHAVIOURS as Partial<Record<string, ScalarBehaviour>>)[scalar.name];
  if (behaviour) {
    scalar.serialize = behaviour.serialize;
    scalar.parseValue = behaviour.parseValue;
    scalar.parseLiteral = behaviour.parseLiteral;
  }
}
