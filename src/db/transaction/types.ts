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
};
