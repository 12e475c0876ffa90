import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { replayStateOf } from '../request/replay';
import { RequestTrace } from '../request/request-trace';

/** Options of {@link requestLog}. */
export type RequestLogOptions = {
  /** Where the JSON line goes; defaults to `console.log` (Workers Logs). */
  log?: (line: string) => void;
};

/** The `Server-Timing` value: database connect, query, commit and backoff time, and attempts. */
export function serverTiming(trace: RequestTrace): string {
  const metrics = [`total;dur=${trace.elapsedMs()}`];
  if (trace.connectAttempts > 0) {
    metrics.push(
      `db-connect;dur=${trace.connectMs}`,
      `db-query;dur=${trace.queryMs}`,
      `db-attempts;desc="${trace.connectAttempts}"`,
    );
  } else if (trace.queryMs > 0) {
    metrics.push(`db-query;dur=${trace.queryMs}`);
  }
  if (trace.batches > 0) metrics.push(`db-batches;desc="${trace.batches}"`);
  if (trace.commitMs > 0) metrics.push(`db-commit;dur=${trace.commitMs}`);
  if (trace.waitMs > 0) metrics.push(`db-wait;dur=${trace.waitMs}`);
  if (trace.runs > 1) metrics.push(`runs;desc="${trace.runs}"`);
  return metrics.join(', ');
}

/**
 * Starts the request's trace, then sets `Server-Timing` and `X-Request-Id` and writes one JSON
 * line per request: method, path (no query string), status, ms, attempts, outcome, error code.
 * Never a URL with credentials, a password, SQL or a parameter: the trace only holds codes.
 */
export function requestLog(options: RequestLogOptions = {}) {
  const log = options.log ?? ((line: string) => console.log(line));
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const replay = replayStateOf(c.req.raw);
    if (replay) {
      // A replay is part of the request that started it, which logs once for all runs.
      c.set('trace', replay.trace);
      return next();
    }
    const trace = new RequestTrace();
    c.set('trace', trace);
    await next();
    c.header('Server-Timing', serverTiming(trace));
    c.header('X-Request-Id', c.var.requestId);
    const status = c.res.status;
    log(
      JSON.stringify({
        level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
        msg: 'request',
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status,
        ms: trace.elapsedMs(),
        attempts: trace.connectAttempts,
        runs: trace.runs,
        batches: trace.batches,
        outcome: trace.outcome,
        commitLookup: trace.commitLookup,
        code: trace.errorCode,
        sqlState: trace.sqlState,
        errorKind: trace.errorKind,
        errorName: trace.errorName,
        error: trace.errorMessage,
        db: {
          connectMs: trace.connectMs,
          queryMs: trace.queryMs,
          commitMs: trace.commitMs,
          waitMs: trace.waitMs,
        },
      }),
    );
  });
}
