/**
 * A minimal DynamoDB client for the control-plane calls the local runtime makes itself (CreateTable,
 * DescribeTable, ListTables): JSON 1.0 over HTTP, as the SDK speaks it. The AWS SDK is not a runtime
 * dependency of this package, and these few calls do not need it.
 *
 * Requests carry a well-formed but unsigned `Authorization` header: dynalite (and DynamoDB Local) only
 * check its shape. Do not point this at real AWS.
 */
import { LocalDynamoDbError } from '../errors';

type JsonObject = Record<string, unknown>;

/**
 * Sends one DynamoDB operation and returns the parsed answer.
 *
 * @throws LocalDynamoDbError `REQUEST_FAILED`, with `awsErrorType` (for example `ResourceNotFoundException`).
 *
 * @example
 * const { TableNames } = await dynamoDbRequest('http://127.0.0.1:8000', 'ListTables', {});
 */
export async function dynamoDbRequest(endpoint: string, operation: string, body: JsonObject): Promise<JsonObject> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20000101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
      },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new LocalDynamoDbError('REQUEST_FAILED', `DynamoDB ${operation} at ${endpoint} failed: ${String(cause)}`, {
      cause,
    });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new LocalDynamoDbError(
      'REQUEST_FAILED',
      `DynamoDB ${operation} at ${endpoint} answered ${response.status} with a body that is not JSON`,
      { cause },
    );
  }
  const answer: JsonObject =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : {};
  if (!response.ok) {
    const type = typeof answer['__type'] === 'string' ? answer['__type'].split('#').pop() : undefined;
    const message = answer['message'] ?? answer['Message'];
    throw new LocalDynamoDbError(
      'REQUEST_FAILED',
      `DynamoDB ${operation} failed: ${type ?? response.status}${typeof message === 'string' && message !== '' ? `: ${message}` : ''}`,
      { ...(type === undefined ? {} : { awsErrorType: type }) },
    );
  }
  return answer;
}

/**
 * True when `error` is a DynamoDB error answer of the given type (`ResourceNotFoundException`, …).
 *
 * @example
 * if (hasAwsErrorType(error, 'ResourceNotFoundException')) return undefined;
 */
export function hasAwsErrorType(error: unknown, awsErrorType: string): boolean {
  return typeof error === 'object' && error !== null && 'awsErrorType' in error && error.awsErrorType === awsErrorType;
}
