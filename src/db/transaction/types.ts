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

/** How a route turns a write batch into its answer, with or without the batch's reply. */
export type WriteBatchOptions<T extends WriteBatchItems, R> = {
  /** Builds the route's value from the batch's results (runs after the batch committed). */
  result: (responses: BatchResponse<T>) => R;
  /** Builds the same value by reading, when the batch committed but its reply was lost. */
  recover: () => Promise<R>;
};

/** See {@link TransactionVariables.batch}. */
export type WriteBatch = <T extends WriteBatchItems, R>(
  build: (db: HttpDatabase) => T,
  options: WriteBatchOptions<T, R>,
) => Promise<R>;

/**
 * What the transaction middleware gives each handler: one way to the database per shape of work.
 * Nothing opens a connection until it is used, and nothing outlives the request.
 */
export type TransactionVariables = {
  /**
   * The request's interactive transaction; later calls return the same one. Nothing is sent
   * until its first statement, which travels with connect and BEGIN in one burst (so it must be
   * a single statement). Committed after a 2xx/3xx answer, rolled back otherwise; READ ONLY for
   * GET/HEAD. On 40001/40P01, and on a connection lost before COMMIT was sent (unless `http()`
   * was used outside GET/HEAD), the whole request runs again.
   */
  tx: (options?: TxOptions) => Promise<TxDatabase>;
  /**
   * The HTTP driver for reads that need no transaction: one round trip per query, each bounded
   * by statement_timeout. In GET/HEAD a query is retried on a connection failure (as a connect
   * is), so there it must only read: a write whose reply was lost may have committed. In other
   * methods a failed query is not retried.
   */
  http: () => HttpDatabase;
  /**
   * The request's write as one HTTP transaction: its statements, with the configured isolation
   * level and statement timeout, in one round trip. Committed when the returned promise
   * resolves: a later throw or 4xx cannot undo it, so every condition that must roll it back
   * belongs inside the batch. A lost reply is settled by its receipt, never guessed. One per
   * request, and not together with `tx()`.
   * @example const todo = await c.var.batch((db) => [db.insert(todos).values(v).returning()],
   *   { result: ([rows]) => rows[0], recover: () => readTodo(c, v.id) })
   */
  batch: WriteBatch;
};
