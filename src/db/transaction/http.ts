import type { NeonQueryFunction } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { AppConfig } from '../../config';
import type { RequestTrace } from '../../trace';
import { httpSql } from '../driver-settings';
import { replyTimeoutMs, retryPolicyFor, retryTransient } from '../retry';
import * as schema from '../schema';
import type { HttpDatabase } from './types';

type AnyQueryFunction = NeonQueryFunction<boolean, boolean>;
type QueryOptions = Parameters<AnyQueryFunction['query']>[2];
type TransactionOptions = Parameters<AnyQueryFunction['transaction']>[1];
type Queries = Parameters<AnyQueryFunction['transaction']>[0];
type QueryList = Exclude<Queries, (...args: never[]) => unknown>;
type Thenable = { then: Promise<unknown>['then'] };

/** `retry`: retry a query that failed to connect; only where queries cannot write (GET/HEAD). */
export type HttpDatabaseOptions = { retry: boolean };

/** The HTTP driver (drizzle `neon-http`) for one request: every query timed into the trace and bounded. */
export function createHttpDatabase(
  config: AppConfig,
  trace: RequestTrace,
  options: HttpDatabaseOptions,
): HttpDatabase {
  const sql = httpSql(config) as AnyQueryFunction;
  const bounded = async (list: QueryList, txOptions: TransactionOptions, connectMs: number) => {
    // Neon's `/sql` takes no per-request timeout and its pooler drops startup `options`, so the
    // bound is the transaction's first statement; 0 turns it off (not the role's default), as in
    // tx() and batch(). `SET` takes no bind parameters: only an integer goes in.
    const timeout = sql.query(
      `SET LOCAL statement_timeout = ${Math.trunc(config.statementTimeoutMs)}`,
    );
    const waitMs = replyTimeoutMs(config, list.length, connectMs);
    const results = await sql.transaction([timeout, ...list] as QueryList, {
      ...txOptions,
      ...(waitMs !== undefined && {
        fetchOptions: { ...txOptions?.fetchOptions, signal: AbortSignal.timeout(waitMs) },
      }),
    });
    return results.slice(1);
  };
  const run = async <T>(attempt: (connectMs: number) => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      if (options.retry) {
        return await retryTransient(attempt, retryPolicyFor(config, trace.startedAt), trace);
      }
      trace.attempts += 1;
      return await attempt(config.connectTimeoutMs);
    } finally {
      trace.queryMs += Date.now() - started;
    }
  };
  // `transaction([...])` needs the driver's own query objects, so each one keeps its identity
  // and only its `then` (which is what sends it) is replaced.
  const query = ((text: string, params?: unknown[], queryOptions?: QueryOptions) => {
    const pending = sql.query(text, params, queryOptions) as unknown as Thenable;
    let sent: Promise<unknown> | undefined;
    // biome-ignore lint/suspicious/noThenProperty: the driver's lazy query object runs on then().
    pending.then = (onFulfilled, onRejected) => {
      sent ??= run(async (connectMs) => {
        // Bounded like a transaction's statement, so Postgres itself cancels it (57014).
        const { fetchOptions, authToken } = queryOptions ?? {};
        const query = sql.query(text, params, queryOptions);
        return (await bounded([query], { fetchOptions, authToken }, connectMs))[0];
      });
      return sent.then(onFulfilled, onRejected);
    };
    return pending;
  }) as AnyQueryFunction['query'];
  const transaction = ((queries: Queries, txOptions?: TransactionOptions) =>
    run((connectMs) =>
      bounded(
        (typeof queries === 'function' ? queries(sql) : queries) as QueryList,
        txOptions,
        connectMs,
      ),
    )) as AnyQueryFunction['transaction'];
  const client = Object.assign(
    ((...args: Parameters<AnyQueryFunction>) => sql(...args)) as AnyQueryFunction,
    { query, transaction, unsafe: sql.unsafe },
  );
  return drizzle({ client, schema });
}
