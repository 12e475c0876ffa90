import { createMiddleware } from 'hono/factory';
import type { RequestIdVariables } from 'hono/request-id';
import { setMetric, type TimingVariables } from 'hono/timing';
import { replayStateOf } from '../db/transaction';
import { type RequestTrace, startTrace, timingMetrics } from '../trace';

/** What {@link requestTrace} sets: the request's trace, filled in by the layers below. */
export type TraceVariables = { trace: RequestTrace };

/** `log`: where the JSON line goes; defaults to `console.log` (Workers Logs). */
export type RequestTraceOptions = { log?: (line: string) => void };

type TraceEnv = { Variables: RequestIdVariables & TimingVariables & TraceVariables };

/**
 * The request's trace, then its `Server-Timing` metrics (after `timing()`) and one JSON line of
 * codes and numbers only: no query string, SQL or parameter.
 */
export function requestTrace(options: RequestTraceOptions = {}) {
  const log = options.log ?? ((line: string) => console.log(line));
  return createMiddleware<TraceEnv>(async function requestTrace(c, next) {
    const replay = replayStateOf(c.req.raw);
    if (replay) {
      // A replay is part of the request that started it, which logs once for all runs.
      c.set('trace', replay.trace);
      return next();
    }
    const trace = startTrace();
    c.set('trace', trace);
    await next();
    for (const [name, value] of timingMetrics(trace)) {
      // Precision 0: whole milliseconds, as the trace counts them.
      if (typeof value === 'number') setMetric(c, name, value, undefined, 0);
      else setMetric(c, name, value);
    }
    const { startedAt, connectMs, queryMs, commitMs, waitMs, ...fields } = trace;
    const status = c.res.status;
    log(
      JSON.stringify({
        level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
        msg: 'request',
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Date.now() - startedAt,
        ...fields,
        db: { connectMs, queryMs, commitMs, waitMs },
      }),
    );
  });
}
