import { type NeonQueryFunction, neon } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { HttpDatabase } from '../app-env';
import type { AppConfig } from '../config';
import type { RequestTrace } from '../middleware/request-trace';
import { applyDriverSettings } from './driver-settings';
import * as schema from './schema';

type AnyQueryFunction = NeonQueryFunction<boolean, boolean>;
type Thenable = { then: (...args: unknown[]) => unknown };

/** Adds the time until a query's reply to the trace, without changing what the driver returns. */
function timeQueries(sql: AnyQueryFunction, trace: RequestTrace): AnyQueryFunction {
  const record = (started: number) => {
    trace.queryMs += Date.now() - started;
  };
  // `transaction([...])` needs the driver's own query objects, so each one is timed in place
  // (its `then` runs the request) rather than replaced by a wrapping promise.
  const query = ((...args: Parameters<AnyQueryFunction['query']>) => {
    const pending = sql.query(...args) as unknown as Thenable;
    const run = pending.then.bind(pending);
    let started: number | undefined;
    // biome-ignore lint/suspicious/noThenProperty: the driver's lazy query object runs on then().
    pending.then = (onFulfilled?: unknown, onRejected?: unknown) => {
      const first = started === undefined;
      started ??= Date.now();
      const begun = started;
      const settle = first ? () => record(begun) : () => {};
      return run(
        (value: unknown) => {
          settle();
          return typeof onFulfilled === 'function' ? onFulfilled(value) : value;
        },
        (error: unknown) => {
          settle();
          if (typeof onRejected === 'function') return onRejected(error);
          throw error;
        },
      );
    };
    return pending;
  }) as AnyQueryFunction['query'];
  const transaction = (async (...args: Parameters<AnyQueryFunction['transaction']>) => {
    const started = Date.now();
    try {
      return await sql.transaction(...args);
    } finally {
      record(started);
    }
  }) as AnyQueryFunction['transaction'];
  return Object.assign(
    ((...args: Parameters<AnyQueryFunction>) => sql(...args)) as AnyQueryFunction,
    {
      query,
      transaction,
      unsafe: sql.unsafe,
    },
  );
}

/**
 * The HTTP driver (`neon()` + drizzle `neon-http`) for one request: each query is one HTTP
 * round trip, with no connection to open or close. A hung request is aborted after the retry
 * deadline plus the statement timeout.
 */
export function createHttpDatabase(config: AppConfig, trace: RequestTrace): HttpDatabase {
  applyDriverSettings(config);
  const timeoutMs = config.retryDeadlineMs + config.statementTimeoutMs;
  const sql = neon(config.databaseUrl, {
    fetchOptions: { signal: AbortSignal.timeout(timeoutMs) },
  }) as AnyQueryFunction;
  return drizzle({ client: timeQueries(sql, trace), schema });
}
