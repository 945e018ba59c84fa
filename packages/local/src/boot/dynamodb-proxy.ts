/**
 * DynamoDB for the functions: `DynamoDB_20120810.*` requests, signed (SigV4, service `dynamodb`) and
 * authorized as DynamoDB would (each action on its table's ARN, with the table's resource policy),
 * handed to the store's thread as they are (a message, no socket), with the read and write requests
 * counted and the capacity units DynamoDB would bill, and the store faults injected (throttling; a
 * caller that dies after its transaction was written).
 */
import type { LocalDynamoDb } from '../dynamodb';
import { parseAwsJsonBody, sendAwsJsonError } from '../eventbridge/aws-json';
import { dynamoDbRequests } from '../iam/actions';
import { authenticateAws, firstDenial, sendAccessDenied, type AwsAuth } from './aws-auth';
import type { DynamoDbFaults } from './faults';
import { sendJson, targetRoute, type LocalRequest, type Route } from './router';

/** Requests and billed capacity units served. */
export interface DynamoDbMetering {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

/** DynamoDB's largest request: a BatchWriteItem or BatchGetItem of 16 MB. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.0';

const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;
const READS = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)$/;

export function dynamoDbRoute(
  dynamo: LocalDynamoDb,
  auth: AwsAuth,
  faults: DynamoDbFaults,
): { route: Route; metering: Readonly<DynamoDbMetering> } {
  const metering: DynamoDbMetering = { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 };
  const route = targetRoute('DynamoDB_20120810.', MAX_REQUEST_BYTES, async (request) => {
    const operation = request.target.split('.')[1] ?? '';
    const principal = await authenticateAws(request, 'dynamodb', auth, CONTENT_TYPE);
    if (principal === undefined) return true;
    const parsed = parseAwsJsonBody(request.body);
    const input = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : undefined;
    if (input === undefined) {
      sendAwsJsonError(
        request.res,
        CONTENT_TYPE,
        400,
        'SerializationException',
        'The request body is not a JSON object.',
      );
      return true;
    }
    const denial = firstDenial(principal, dynamoDbRequests(operation, input as Record<string, unknown>, auth), auth);
    if (denial !== undefined) {
      sendAccessDenied(request.res, CONTENT_TYPE, auth, principal, denial);
      return true;
    }
    const refused = faults.refuse(operation);
    if (refused !== undefined) {
      sendJson(request.res, refused.status, refused.body);
      return true;
    }
    await forward(dynamo, request, async (answer, status) => {
      meter(metering, operation, answer);
      return status === 200 && (await faults.crashAfterWrite(operation, request.body));
    });
    return true;
  });
  return { route, metering };
}

/**
 * Hands the request to the store's thread (no socket) and its answer back to the caller, unless
 * `onAnswer` says the caller is gone.
 */
async function forward(
  dynamo: LocalDynamoDb,
  { res, body, target }: LocalRequest,
  onAnswer: (answer: Buffer, status: number) => Promise<boolean>,
): Promise<void> {
  const answer = await dynamo.request(target, body);
  if (await onAnswer(answer.body, answer.status)) return void res.destroy();
  res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
  res.end(answer.body);
}

/**
 * The capacity units an answer reports: `ConsumedCapacity.CapacityUnits`, or their sum when it is a list
 * (a transaction reports one entry per table); 0 when it reports none. Read without parsing the whole
 * answer, which may be a Query's page of items. The runtime asks for `TOTAL`, whose entries are flat.
 */
export function reportedUnits(answer: Buffer): number {
  const at = answer.indexOf('"ConsumedCapacity":');
  if (at < 0) return 0;
  const text = answer.toString('utf8', at, at + 4096);
  const entries = text.slice(0, text.indexOf(text.startsWith('"ConsumedCapacity":[') ? ']' : '}') + 1);
  let units = 0;
  for (const found of entries.matchAll(/"CapacityUnits":([0-9.eE+-]+)/g)) units += Number(found[1]);
  return units;
}

/** Counts one request and the units DynamoDB would bill for it: at least one, even for a read of nothing. */
function meter(metering: DynamoDbMetering, operation: string, answer: Buffer): void {
  const isWrite = WRITES.test(operation);
  const isRead = READS.test(operation);
  if (isRead) metering.readRequests += 1;
  if (isWrite) metering.writeRequests += 1;
  const units = Math.max(reportedUnits(answer), 1);
  if (isRead) metering.readUnits += units;
  if (isWrite) metering.writeUnits += units;
}
