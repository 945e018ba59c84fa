/**
 * The few pieces of the AWS JSON protocols (awsJson1_0 and awsJson1_1) a local endpoint
 * needs: read `X-Amz-Target`, parse the body, answer with a result or an error
 * `{ __type, message }` that the AWS SDKs turn into a named exception.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** `application/x-amz-json-1.0` (Step Functions, DynamoDB) or `-1.1` (EventBridge). */
export type AwsJsonContentType = 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';

/**
 * The operation named by `X-Amz-Target` when it has the given prefix, e.g. `PutEvents` for
 * `AWSEvents.PutEvents` and prefix `AWSEvents`.
 *
 * @example
 * ```ts
 * awsJsonOperation(req, 'AWSEvents'); // 'PutEvents', or undefined for another service
 * ```
 */
export function awsJsonOperation(req: IncomingMessage, targetPrefix: string): string | undefined {
  const header = req.headers['x-amz-target'];
  const target = Array.isArray(header) ? header[0] : header;
  if (target === undefined || !target.startsWith(`${targetPrefix}.`)) {
    return undefined;
  }
  return target.slice(targetPrefix.length + 1);
}

/**
 * Answers a request that is not a POST with AWS's error and returns true; AWS JSON protocols are POST only.
 *
 * @example
 * ```ts
 * if (refuseNonPost(req, res, 'application/x-amz-json-1.1')) return true;
 * ```
 */
export function refuseNonPost(req: IncomingMessage, res: ServerResponse, contentType: AwsJsonContentType): boolean {
  if (req.method === 'POST') return false;
  sendAwsJsonError(
    res,
    contentType,
    400,
    'UnknownOperationException',
    `AWS JSON requests are POSTs, not ${req.method}.`,
  );
  return true;
}

/**
 * Parses a request body as JSON; an empty body is `{}` (as the SDKs send for no input).
 *
 * @example
 * ```ts
 * parseAwsJsonBody('{"Entries":[]}'); // { ok: true, value: { Entries: [] } }
 * ```
 */
export function parseAwsJsonBody(body: string | Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim().length === 0) {
    return { ok: true, value: {} };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      message: `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Writes a successful answer.
 *
 * @example
 * ```ts
 * sendAwsJson(res, 'application/x-amz-json-1.1', 200, { FailedEntryCount: 0, Entries: [] });
 * ```
 */
export function sendAwsJson(res: ServerResponse, contentType: AwsJsonContentType, status: number, body: unknown): void {
  // The JSON protocols put timestamps on the wire as epoch seconds. `Date.toJSON` runs
  // before a replacer sees the value, so the original is read from the holder.
  const text = JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text, 'utf8'),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/**
 * Writes an error answer the AWS SDKs understand: `{ __type, message }` and the
 * `x-amzn-ErrorType` header.
 *
 * @example
 * ```ts
 * sendAwsJsonError(res, 'application/x-amz-json-1.1', 400, 'UnknownOperationException', 'Unknown operation Foo');
 * ```
 */
export function sendAwsJsonError(
  res: ServerResponse,
  contentType: AwsJsonContentType,
  status: number,
  type: string,
  message: string,
): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text, 'utf8'),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': type,
  });
  res.end(text);
}
