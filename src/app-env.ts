import type { NeonHttpDatabase } from 'drizzle-orm/neon-http';
import type { NeonDatabase } from 'drizzle-orm/neon-serverless';
import type * as schema from './db/schema';

/** The request's interactive transaction (WebSocket `Client`, drizzle `neon-serverless`). */
export type TxDatabase = NeonDatabase<typeof schema>;

/** One-shot queries and non-interactive batches over HTTP (drizzle `neon-http`). */
export type HttpDatabase = NeonHttpDatabase<typeof schema>;

export type AppVariables = {
  requestId: string;
  /** Opens the request's transaction on first call (lazy); later calls return the same one. */
  tx: () => Promise<TxDatabase>;
  /** The HTTP driver for reads that need no transaction: one round trip per query. */
  http: () => HttpDatabase;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
