/**
 * dynalite's own request validation and condition evaluation, so that a transaction's conditions mean
 * exactly what they mean in a single PutItem/UpdateItem/DeleteItem against the same dynalite.
 * These modules are dynalite's internals (not its public API): the version is pinned in projenrc.
 */
import { validationError, type DynamoDbErrorAnswer } from './errors';

/** A DynamoDB JSON attribute map. */
export type Item = Record<string, Record<string, unknown>>;

interface ValidationSpec {
  readonly types: Record<string, unknown>;
  readonly custom: (data: Record<string, unknown>, store: unknown) => string | undefined;
}

interface DynaliteValidations {
  checkTypes(data: Record<string, unknown>, types: Record<string, unknown>): Record<string, unknown>;
  checkValidations(
    data: Record<string, unknown>,
    types: Record<string, unknown>,
    custom: ValidationSpec['custom'],
    store: unknown,
  ): void;
}

interface DynaliteDb {
  checkConditional(data: Record<string, unknown>, existingItem: Item | undefined): unknown;
  itemSize(item: Item): number;
}

/* eslint-disable @typescript-eslint/no-require-imports -- dynalite ships CommonJS without types */
const validations = require('dynalite/validations') as DynaliteValidations;
const db = require('dynalite/db') as DynaliteDb;
const specs: Record<'put' | 'update' | 'delete', ValidationSpec> = {
  put: require('dynalite/validations/putItem') as ValidationSpec,
  update: require('dynalite/validations/updateItem') as ValidationSpec,
  delete: require('dynalite/validations/deleteItem') as ValidationSpec,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** DynamoDB's item size limit, which dynalite's validation reads from its store's options. */
const STORE = { options: { maxItemSize: 400 * 1024 } };

/** One transaction action in the shape of the single-item request it stands for. */
export interface ActionRequest {
  readonly kind: 'put' | 'update' | 'delete';
  readonly data: Record<string, unknown>;
}

/**
 * Validates a request as dynalite would validate the single-item call; returns the parsed request
 * (with its condition compiled) or the ValidationException dynalite would have answered.
 */
export function validateAction(action: ActionRequest): { parsed: Record<string, unknown> } | DynamoDbErrorAnswer {
  const spec = specs[action.kind];
  try {
    const parsed = validations.checkTypes({ ...action.data }, spec.types);
    validations.checkValidations(parsed, spec.types, spec.custom, STORE);
    return { parsed };
  } catch (error) {
    const answer = error as { statusCode?: number; body?: Record<string, unknown>; message?: string };
    if (answer.statusCode !== undefined && answer.body !== undefined)
      return { status: answer.statusCode, body: answer.body };
    return validationError(String(answer.message ?? error));
  }
}

/** True when a parsed request's condition (expression or legacy `Expected`) holds for the item. */
export function conditionHolds(parsed: Record<string, unknown>, existing: Item | undefined): boolean {
  return db.checkConditional(parsed, existing) == null;
}

/** The item's size as DynamoDB counts it (attribute names and values), in bytes. */
export function itemSize(item: Item): number {
  return db.itemSize(item);
}
