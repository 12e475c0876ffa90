/**
 * The request transaction: the one door to src/db/transaction. `transaction()` gives handlers
 * `c.var.tx()`, `c.var.batch()` and `c.var.http()` (see {@link TransactionVariables}); the rest is for jobs and
 * tests that open transactions the same way.
 */

export {
  type DispatchFn,
  refuseNestedTransaction,
  type TransactionOptions,
  transaction,
} from './middleware';
export { lookUpCommitStatus } from './outcome';
export { beginStatements, type TxSettings } from './pipeline';
export { type ReplayState, replayStateOf } from './replay';
export type {
  HttpDatabase,
  TransactionVariables,
  TxDatabase,
  TxOptions,
  WriteBatch,
  WriteBatchItems,
  WriteBatchOptions,
} from './types';
