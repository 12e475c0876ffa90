import type { NeonHttpDatabase } from 'drizzle-orm/neon-http';
import type { NeonDatabase } from 'drizzle-orm/neon-serverless';
import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { IsolationLevel } from './config';
import type * as schema from './db/schema';
import type { TraceVariables } from './middleware/request-trace';

/** The request's interactive transaction (WebSocket `Client`, drizzle `neon-serverless`). */
export type TxDatabase = NeonDatabase<typeof schema>;

/** One-shot queries and non-interactive batches over HTTP (drizzle `neon-http`). */
export type HttpDatabase = NeonHttpDatabase<typeof schema>;

/** Per-request overrides for the transaction; only the first `tx()` call's options apply. */
export type TxOptions = {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
};

export type AppVariables = {
  /**
   * The request's transaction; later calls return the same one. Nothing is sent until its first
   * statement, which travels with connect and BEGIN in one burst (so it must be a single
   * statement). Committed after a 2xx/3xx answer, rolled back otherwise; READ ONLY for GET/HEAD.
   */
  tx: (options?: TxOptions) => Promise<TxDatabase>;
  /**
   * The HTTP driver for reads that need no transaction: one round trip per query. In GET/HEAD
   * each query is retried on a connection failure (as a connect is), so there it must only read:
   * a write whose reply was lost may have committed. Writes over HTTP belong in other methods,
   * where a failed query is not retried.
   */
  http: () => HttpDatabase;
};

/** The app's Hono environment: the bindings, and what each middleware sets. */
export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & TimingVariables & TraceVariables & AppVariables;
};
