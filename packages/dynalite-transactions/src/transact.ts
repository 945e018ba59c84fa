/**
 * TransactWriteItems and TransactGetItems over dynalite. Under the locks of every table involved (so
 * no other write can come in between): read each item, check every condition with dynalite's own
 * evaluator, and either cancel the whole transaction with one reason per action, as DynamoDB does,
 * or apply every action. An action that still fails while applying undoes the ones applied before it.
 */
import { conditionHolds, itemSize, validateAction, type ActionRequest, type Item } from './dynalite-internals';
import { validationError, type DynamoDbErrorAnswer } from './errors';
import type { IntentLog } from './intent-log';
import { isErrorAnswer, type KeySchemas } from './key-schemas';
import type { TableLocks } from './table-locks';
import type { Upstream } from './upstream';

/** DynamoDB's limit on actions in one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;

export interface TransactionDeps {
  readonly upstream: Upstream;
  readonly schemas: KeySchemas;
  readonly locks: TableLocks;
  /** With a log, a transaction cut short by a crash is rolled back at the next start. */
  readonly intents?: IntentLog;
}

export type JsonAnswer = DynamoDbErrorAnswer;

interface Action {
  /** `check` is a ConditionCheck: evaluated, never applied. */
  readonly kind: ActionRequest['kind'] | 'check';
  readonly operation: 'PutItem' | 'UpdateItem' | 'DeleteItem' | undefined;
  readonly table: string;
  readonly key: Item;
  readonly keyNames: readonly string[];
  readonly request: Record<string, unknown>;
  readonly parsed: Record<string, unknown>;
  readonly returnOldOnFailure: boolean;
}

const KINDS = [
  ['Put', 'put', 'PutItem'],
  ['Update', 'update', 'UpdateItem'],
  ['Delete', 'delete', 'DeleteItem'],
  ['ConditionCheck', 'check', undefined],
] as const;

export async function transactWriteItems(request: Record<string, unknown>, deps: TransactionDeps): Promise<JsonAnswer> {
  const actions = await toActions(request['TransactItems'], deps.schemas);
  if (isErrorAnswer(actions)) return actions;
  return deps.locks.withTables(
    actions.map((action) => action.table),
    async () => {
      const existing = await Promise.all(actions.map((action) => getItem(deps.upstream, action.table, action.key)));
      const reasons = actions.map((action, index) => reasonFor(action, existing[index]));
      if (reasons.some((reason) => reason['Code'] !== 'None')) return canceled(reasons);
      const intent = deps.intents?.begin(
        actions.flatMap((action, index) =>
          action.operation === undefined ? [] : [{ table: action.table, key: action.key, before: existing[index] }],
        ),
      );
      const failure = await applyAll(actions, existing, deps.upstream);
      if (intent !== undefined) deps.intents?.end(intent);
      if (failure !== undefined) return failure;
      return { status: 200, body: consumedCapacity(request, actions, existing) };
    },
  );
}

export async function transactGetItems(request: Record<string, unknown>, deps: TransactionDeps): Promise<JsonAnswer> {
  const items = request['TransactItems'];
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ACTIONS)
    return validationError(`TransactItems must hold 1 to ${MAX_TRANSACTION_ACTIONS} actions`);
  const gets = items.map((entry) => (entry as { Get?: { TableName?: unknown; Key?: unknown } }).Get);
  if (gets.some((get) => typeof get?.TableName !== 'string' || typeof get.Key !== 'object'))
    return validationError('TransactItems can only contain Get actions, each with a TableName and a Key');
  const valid = gets as { TableName: string; Key: Item; ProjectionExpression?: string }[];
  return deps.locks.withTables(
    valid.map((get) => get.TableName),
    async () => {
      const found = await Promise.all(valid.map((get) => getItem(deps.upstream, get.TableName, get.Key)));
      return { status: 200, body: { Responses: found.map((item) => (item === undefined ? {} : { Item: item })) } };
    },
  );
}

async function toActions(items: unknown, schemas: KeySchemas): Promise<Action[] | JsonAnswer> {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ACTIONS)
    return validationError(`TransactItems must hold 1 to ${MAX_TRANSACTION_ACTIONS} actions`);
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const entry of items) {
    const action = await toAction(entry, schemas);
    if (isErrorAnswer(action)) return action;
    const identity = `${action.table}\u0000${JSON.stringify(action.keyNames.map((name) => action.key[name]))}`;
    if (seen.has(identity))
      return validationError('Transaction request cannot include multiple operations on one item');
    seen.add(identity);
    actions.push(action);
  }
  return actions;
}

async function toAction(entry: unknown, schemas: KeySchemas): Promise<Action | JsonAnswer> {
  const present = KINDS.filter(([field]) => typeof (entry as Record<string, unknown>)?.[field] === 'object');
  const kind = present[0];
  if (present.length !== 1 || kind === undefined)
    return validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  const [field, name, operation] = kind;
  const request = { ...((entry as Record<string, Record<string, unknown>>)[field] as Record<string, unknown>) };
  const table = request['TableName'];
  if (typeof table !== 'string') return validationError(`${field}.TableName is required`);
  const keyNames = await schemas.keyNames(table);
  if (isErrorAnswer(keyNames)) return keyNames;
  const key =
    name === 'put' ? schemas.keyOf((request['Item'] ?? {}) as Item, keyNames) : ((request['Key'] ?? {}) as Item);
  if (keyNames.some((keyName) => key[keyName] === undefined) || Object.keys(key).length !== keyNames.length)
    return validationError('The provided key element does not match the schema');
  const validated = validateAction({ kind: name === 'check' ? 'delete' : name, data: request });
  if (isErrorAnswer(validated)) return validated;
  return {
    kind: name,
    operation,
    table,
    key,
    keyNames,
    request,
    parsed: validated.parsed,
    returnOldOnFailure: request['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD',
  };
}

function reasonFor(action: Action, existing: Item | undefined): Record<string, unknown> {
  if (conditionHolds(action.parsed, existing)) return { Code: 'None' };
  return {
    Code: 'ConditionalCheckFailed',
    Message: 'The conditional request failed',
    ...(action.returnOldOnFailure && existing !== undefined ? { Item: existing } : {}),
  };
}

function canceled(reasons: Record<string, unknown>[]): JsonAnswer {
  const codes = reasons.map((reason) => String(reason['Code'])).join(', ');
  return {
    status: 400,
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
      CancellationReasons: reasons,
    },
  };
}

/** Applies the actions in order; on a failure, restores what was applied and returns dynalite's answer. */
async function applyAll(
  actions: Action[],
  existing: (Item | undefined)[],
  upstream: Upstream,
): Promise<JsonAnswer | undefined> {
  const applied: number[] = [];
  for (const [index, action] of actions.entries()) {
    if (action.operation === undefined) continue;
    const answer = await upstream.call(action.operation, withoutTransactionFields(action.request));
    if (!answer.ok) {
      for (const done of applied.reverse()) await restore(actions[done] as Action, existing[done], upstream);
      return { status: answer.status, body: answer.json };
    }
    applied.push(index);
  }
  return undefined;
}

async function restore(action: Action, before: Item | undefined, upstream: Upstream): Promise<void> {
  if (before === undefined) await upstream.call('DeleteItem', { TableName: action.table, Key: action.key });
  else await upstream.call('PutItem', { TableName: action.table, Item: before });
}

function withoutTransactionFields(request: Record<string, unknown>): Record<string, unknown> {
  const { ReturnValuesOnConditionCheckFailure: _ignored, ...single } = request;
  return single;
}

async function getItem(upstream: Upstream, table: string, key: Item): Promise<Item | undefined> {
  const answer = await upstream.call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
  return answer.ok ? (answer.json['Item'] as Item | undefined) : undefined;
}

/** Transactional writes cost 2 units per started KB of each item (a ConditionCheck included). */
function consumedCapacity(
  request: Record<string, unknown>,
  actions: Action[],
  existing: (Item | undefined)[],
): Record<string, unknown> {
  const mode = request['ReturnConsumedCapacity'];
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return {};
  const units = new Map<string, number>();
  actions.forEach((action, index) => {
    const item = action.kind === 'put' ? (action.request['Item'] as Item) : (existing[index] ?? action.key);
    units.set(action.table, (units.get(action.table) ?? 0) + 2 * Math.max(1, Math.ceil(itemSize(item) / 1024)));
  });
  return {
    ConsumedCapacity: [...units].map(([TableName, CapacityUnits]) => ({
      TableName,
      CapacityUnits,
      WriteCapacityUnits: CapacityUnits,
    })),
  };
}
