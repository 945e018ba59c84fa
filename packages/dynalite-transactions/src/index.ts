/**
 * TransactWriteItems for dynalite: an HTTP front that serializes each table's writes and runs
 * transactions with dynalite's own validation and condition evaluator.
 */
export {
  createDynamoDbFront,
  startTransactionFront,
  type DynamoDbFront,
  type DynamoDbFrontOptions,
  type TransactionFront,
} from './front';
export { DynaliteTransactionsError, type DynaliteTransactionsErrorCode } from './errors';
export { MAX_TRANSACTION_ACTIONS } from './transact';
export type { UpstreamTarget, WireAnswer } from './upstream';
export { dynaliteWithTableCache, type DynaliteOptions } from './table-cache';
