/**
 * The JSON shapes AppSync gives errors on the wire (the error classes are in `../errors`):
 * - request-level errors (401, 400): `{ errors: [{ errorType, message }] }`, before any execution;
 * - GraphQL errors inside a 200: `{ path, data, errorType, errorInfo, locations, message }` for errors
 *   raised by resolvers and authorization, `{ path, locations, message }` for parse, validation and
 *   null-propagation errors. AppSync's captures (its team's, 2020; 2023) give parse and validation
 *   errors no `errorType`; graphql-java, which AppSync runs, classifies them `ValidationError`. Which one
 *   AppSync sends today is unconfirmed, so the API takes either reading (`validationErrorType`).
 *
 * A message made from what the client sent (a field name, a variable's value) quotes at most a short
 * prefix of it (`shortenEcho`): an error never echoes a large input back.
 */
import { getNamedType, isObjectType, type GraphQLError, type GraphQLSchema } from 'graphql';
import { AppSyncFieldError } from '../errors';

/** `errorType` of a field that the caller's auth mode or IAM policy may not access. */
export const UNAUTHORIZED_FIELD = 'Unauthorized';
/** `errorType` of a request refused before execution. */
export const UNAUTHORIZED_REQUEST = 'UnauthorizedException';
/** `errorType` of a request body that is not a GraphQL request. */
export const MALFORMED_REQUEST = 'MalformedHttpRequestException';

/** The message AppSync gives a field the caller may not access. */
export function notAuthorizedMessage(fieldName: string, typeName: string): string {
  return `Not Authorized to access ${fieldName} on type ${typeName}`;
}

/** A source location as AppSync reports it. */
export interface AppSyncErrorLocation {
  readonly line: number;
  readonly column: number;
  readonly sourceName: null;
}

/** One entry of `errors` in a GraphQL response, as AppSync writes it. */
export interface AppSyncGraphQLError {
  readonly path: ReadonlyArray<string | number> | null;
  readonly data?: null;
  readonly errorType?: string;
  readonly errorInfo?: null;
  readonly locations: readonly AppSyncErrorLocation[] | null;
  readonly message: string;
}

/** One entry of `errors` in a request-level error body (401, 400, real-time `error` messages). */
export interface AppSyncRequestError {
  readonly errorType?: string;
  readonly message: string;
  readonly errorCode?: number;
}

/** The body of a request refused before execution. */
export function requestErrorBody(errorType: string, message: string): { errors: AppSyncRequestError[] } {
  return { errors: [{ errorType, message }] };
}

/** The longest part of a client's input an error message quotes. */
export const ECHO_PREFIX_LENGTH = 32;
const MAX_MESSAGE_LENGTH = 400;

/**
 * Shortens every double-quoted part of a message (graphql-js quotes what it echoes) to its first {@link ECHO_PREFIX_LENGTH}
 * characters, and the whole message to 400.
 *
 * @example
 * shortenEcho('Cannot query field "aaaa…(10 000 characters)" on type "Query".'); // 'Cannot query field "aaaa…(32)…" on type "Query".'
 */
export function shortenEcho(message: string): string {
  const quoted = message.replace(/"((?:[^"\\]|\\.)*)"/g, (match, text: string) =>
    text.length > ECHO_PREFIX_LENGTH ? `"${text.slice(0, ECHO_PREFIX_LENGTH)}…"` : match,
  );
  return quoted.length > MAX_MESSAGE_LENGTH ? `${quoted.slice(0, MAX_MESSAGE_LENGTH)}…` : quoted;
}

/**
 * Converts a graphql-js error (from parsing, validation or execution) to AppSync's shape. An error of
 * the request itself (no path: a variable that does not coerce) gets `validationErrorType` when given.
 */
export function formatGraphQLError(
  error: GraphQLError,
  schema: GraphQLSchema,
  validationErrorType?: string,
): AppSyncGraphQLError {
  const path = error.path ?? null;
  const locations = error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null;
  const original = error.originalError;
  if (original instanceof AppSyncFieldError) {
    return { path, data: null, errorType: original.errorType, errorInfo: null, locations, message: original.message };
  }
  const nonNull = path ? nonNullMessage(error.message, path, schema) : undefined;
  if (nonNull) {
    return { path, locations: null, message: nonNull };
  }
  if (path === null) return formatDocumentError(error, validationErrorType);
  return { path, locations, message: shortenEcho(error.message) };
}

const GRAPHQL_JS_NON_NULL = /^Cannot return null for non-nullable field (\w+)\.(\w+)\.$/;

/**
 * Rewrites graphql-js's "Cannot return null for non-nullable field T.f." into AppSync's
 * "Cannot return null for non-nullable type: 'X' within parent 'T' (/a/b)" (observed wording).
 */
function nonNullMessage(
  message: string,
  path: ReadonlyArray<string | number>,
  schema: GraphQLSchema,
): string | undefined {
  const match = GRAPHQL_JS_NON_NULL.exec(message);
  if (!match) {
    return undefined;
  }
  const [, parentName = '', fieldName = ''] = match;
  const parent = schema.getType(parentName);
  const field = isObjectType(parent) ? parent.getFields()[fieldName] : undefined;
  const typeName = field ? getNamedType(field.type).name : fieldName;
  return `Cannot return null for non-nullable type: '${typeName}' within parent '${parentName}' (/${path.join('/')})`;
}

/** A parse or validation error: `path: null`, and `errorType` only under the `validationErrorType` reading. */
export function formatDocumentError(error: GraphQLError, validationErrorType?: string): AppSyncGraphQLError {
  const locations = error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null;
  const message = shortenEcho(error.message);
  return validationErrorType === undefined
    ? { path: null, locations, message }
    : { path: null, errorType: validationErrorType, locations, message };
}

/** Describes any thrown value for a log line or an error message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
