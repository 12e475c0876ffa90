import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { NeonHttpDatabase } from 'drizzle-orm/neon-http';
import type { NeonDatabase } from 'drizzle-orm/neon-serverless';
import type { IsolationLevel } from '../../config';
import type * as schema from '../schema';

/** The request's interactive transaction (WebSocket `Client`, drizzle `neon-serverless`). */
export type TxDatabase = NeonDatabase<typeof schema>;

/** One-shot queries and non-interactive batches over HTTP (drizzle `neon-http`). */
export type HttpDatabase = NeonHttpDatabase<typeof schema>;

/** Per-request overrides for the transaction; only the first `tx()` call's options apply. */
export type TxOptions = {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
};

/** The statements of a write batch: drizzle builders (with `.returning()`) or `db.execute(sql)`. */
export type WriteBatchItems = [BatchItem<'pg'>, ...BatchItem<'pg'>[]];

/** The route's answer from the committed batch's results, or by reading when its reply was lost. */
export type WriteBatchOptions<T extends WriteBatchItems, R> = {
  result: (responses: BatchResponse<T>) => R;
  recover: () => Promise<R>;
};

/** See {@link TransactionVariables.batch}. */
export type WriteBatch = <T extends WriteBatchItems, R>(
  build: (db: HttpDatabase) => T,
  options: WriteBatchOptions<T, R>,
) => Promise<R>;

/** What the transaction middleware gives each handler; nothing connects until used. */
export type TransactionVariables = {
  /**
   * The request's interactive transaction (one per request). Its first statement travels with
   * connect and BEGIN in one burst, so it must be a single statement. Committed after 2xx/3xx;
   * READ ONLY for GET/HEAD. On 40001/40P01, and on a connection lost before COMMIT was sent
   * (unless `http()` wrote outside GET/HEAD), the request reruns.
   */
  tx: (options?: TxOptions) => Promise<TxDatabase>;
  /**
   * One-round-trip reads outside the transaction. Retried on a connection failure only in
   * GET/HEAD, so there it must only read: a write whose reply was lost may have committed.
   */
  http: () => HttpDatabase;
  /**
   * The request's write as one HTTP transaction in one round trip, committed when the promise
   * resolves: a later throw cannot undo it, so every rollback condition belongs inside the batch.
   * A lost reply is settled by its receipt. One per request, never with `tx()`.
   */
  batch: WriteBatch;
};
