/** How the request's transaction ended (`read_only`: ended without COMMIT, nothing to save). */
export type TxOutcome = 'committed' | 'read_only' | 'rolled_back' | 'unknown' | 'none';

/**
 * What happened to one request, shared across replays: the fields of its log line. Holds no SQL,
 * parameters or driver messages; `error` is only ever the app's own, redacted message.
 */
export type RequestTrace = {
  startedAt: number;
  /** Database attempts across replays: WebSocket connects and HTTP queries, retries included. */
  attempts: number;
  /** Write batches sent through `c.var.batch()` (their attempts are counted in `attempts`). */
  batches: number;
  /** Times the handler ran (1 + replays). */
  runs: number;
  connectMs: number;
  queryMs: number;
  commitMs: number;
  /** Time spent sleeping in backoff. */
  waitMs: number;
  outcome: TxOutcome;
  /** How the interactive transaction's BEGIN was sent (see the README, "Round trips"). */
  beginMode?: 'pipelined' | 'explicit';
  /**
   * Set when the reply to a COMMIT or a write batch was lost and the database was asked what
   * happened (`pg_xact_status` for `tx()`, the receipt for a batch; `aborted`: not committed).
   */
  commitLookup?: 'committed' | 'aborted' | 'unknown';
  code?: string;
  errorKind?: string;
  sqlState?: string;
  errorName?: string;
  error?: string;
};

/** A new trace for a request starting now. */
export function startTrace(): RequestTrace {
  const counts = { attempts: 0, batches: 0, runs: 0 };
  const durations = { connectMs: 0, queryMs: 0, commitMs: 0, waitMs: 0 };
  return { startedAt: Date.now(), ...counts, ...durations, outcome: 'none' };
}

/** Forgets the error of an earlier run before a replay. */
export function clearError(trace: RequestTrace): void {
  for (const key of ['code', 'errorKind', 'sqlState', 'errorName', 'error'] as const) {
    trace[key] = undefined;
  }
}

/**
 * The `Server-Timing` metrics: a number is a duration in ms, a string a description.
 * Connect, query and attempts when the database was tried; commit, backoff and runs when non-zero.
 */
export function timingMetrics(trace: RequestTrace): [name: string, value: number | string][] {
  const metrics: [string, number | string][] = [];
  if (trace.attempts > 0) {
    metrics.push(['db-connect', trace.connectMs], ['db-query', trace.queryMs]);
    metrics.push(['db-attempts', String(trace.attempts)]);
  } else if (trace.queryMs > 0) {
    metrics.push(['db-query', trace.queryMs]);
  }
  if (trace.batches > 0) metrics.push(['db-batches', String(trace.batches)]);
  if (trace.commitMs > 0) metrics.push(['db-commit', trace.commitMs]);
  if (trace.waitMs > 0) metrics.push(['db-wait', trace.waitMs]);
  if (trace.runs > 1) metrics.push(['runs', String(trace.runs)]);
  return metrics;
}
