/**
 * The JSON shapes AppSync gives errors on the wire (the error classes are in `../errors`):
 * - request-level errors (401, 400): `{ errors: [{ errorType, message }] }`, before any execution;
 * - GraphQL errors inside a 200: `{ path, data, errorType, errorInfo, locations, message }` for errors
 *   raised by resolvers and authorization, `{ path, locations, message }` for parse, validation and
 *   null-propagation errors (AppSync gives those no `errorType`).
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

/** Converts a graphql-js error (from parsing, validation or execution) to AppSync's shape. */
export function formatGraphQLError(error: GraphQLError, schema: GraphQLSchema): AppSyncGraphQLError {
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
  return { path, locations, message: error.message };
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

/** A parse or validation error: AppSync reports it with `path: null` and no `errorType`. */
export function formatDocumentError(error: GraphQLError): AppSyncGraphQLError {
  const locations = error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null;
  return { path: null, locations, message: error.message };
}

/** Describes any thrown value for a log line or an error message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
