/**
 * What IAM authorizes for each AWS operation the local core serves: the actions and the resource
 * ARNs, and the condition keys the service adds. One operation can be several requests: a
 * `TransactWriteItems` is a `PutItem`, `UpdateItem`, `DeleteItem` or `ConditionCheckItem` on each
 * item's table; a `PutEvents` is one `events:PutEvents` per entry, with its `events:source` and
 * `events:detail-type`.
 */
import { dynamoDbTableArn, eventBusArn } from '../cloudformation/physical-ids';
import type { IamRequest } from './policy';

/** Where the ARNs are. */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What each item of a `TransactWriteItems` asks, by its key. */
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/**
 * The requests a DynamoDB operation (`X-Amz-Target: DynamoDB_20120810.<operation>`) is authorized as.
 *
 * @example
 * dynamoDbRequests('Query', { TableName: 'events', IndexName: 'byType' }, scope);
 * // [{ action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:<region>:<account>:table/events/index/byType' }]
 */
export function dynamoDbRequests(operation: string, body: Json, scope: ArnScope): IamRequest[] {
  const table = (name: unknown) =>
    typeof name !== 'string'
      ? '*'
      : name.startsWith('arn:')
        ? name
        : dynamoDbTableArn(scope.region, scope.accountId, name);
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(isRecord(body['RequestItems']) ? body['RequestItems'] : {}).map((name) => ({
        action: `dynamodb:${operation}`,
        resource: table(name),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = Array.isArray(body['TransactItems']) ? (body['TransactItems'] as unknown[]) : [];
      return items.filter(isRecord).flatMap((item) =>
        Object.entries(item)
          .filter(
            ([kind, request]) =>
              isRecord(request) && (operation === 'TransactGetItems' ? kind === 'Get' : kind in TRANSACT_WRITE_ACTIONS),
          )
          .map(([kind, request]) => ({
            action: operation === 'TransactGetItems' ? 'dynamodb:GetItem' : (TRANSACT_WRITE_ACTIONS[kind] ?? ''),
            resource: table((request as Json)['TableName']),
          })),
      );
    }
    default: {
      const resource = typeof body['ResourceArn'] === 'string' ? body['ResourceArn'] : table(body['TableName']);
      const index = typeof body['IndexName'] === 'string' && resource !== '*' ? `/index/${body['IndexName']}` : '';
      return [{ action: `dynamodb:${operation}`, resource: `${resource}${index}` }];
    }
  }
}

/**
 * One `events:PutEvents` request per entry of a `PutEvents`, on the entry's bus (`EventBusName`, a
 * name or an ARN, or the default bus), with the entry's `events:source` and `events:detail-type`.
 *
 * @example
 * putEventsRequest({ Source: 'core.reservation', DetailType: 'Commit', EventBusName: 'core' }, scope);
 */
export function putEventsRequest(entry: Json, scope: ArnScope): IamRequest {
  const bus =
    typeof entry['EventBusName'] === 'string' && entry['EventBusName'] !== '' ? entry['EventBusName'] : 'default';
  return {
    action: 'events:PutEvents',
    resource: bus.startsWith('arn:') ? bus : eventBusArn(scope.region, scope.accountId, bus),
    context: {
      'events:source': typeof entry['Source'] === 'string' ? entry['Source'] : undefined,
      'events:detail-type': typeof entry['DetailType'] === 'string' ? entry['DetailType'] : undefined,
    },
  };
}

/**
 * The request a Step Functions operation is authorized as: `StartExecution`, `StartSyncExecution`
 * and the task reports (`SendTask*`, the caller resolves the token's state machine) on the state
 * machine, `DescribeExecution` on the execution.
 *
 * @example
 * stepFunctionsRequest('DescribeExecution', { executionArn }); // { action: 'states:DescribeExecution', resource: executionArn }
 */
export function stepFunctionsRequest(operation: string, body: Json): IamRequest {
  const arn = body['stateMachineArn'] ?? body['executionArn'];
  return { action: `states:${operation}`, resource: typeof arn === 'string' ? arn : '*' };
}
