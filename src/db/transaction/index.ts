// The one door to the request transaction: `transaction()` gives handlers {@link TransactionVariables}.

export {
  type DispatchFn,
  refuseNestedTransaction,
  type TransactionOptions,
  transaction,
} from './middleware';
export { lookUpCommitStatus } from './outcome';
export { beginStatements, type TxSettings } from './prefix';
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
