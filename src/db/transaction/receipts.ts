import type { NeonQueryFunction } from '@neondatabase/serverless';
import type { AppConfig } from '../../config';
import type { RequestTrace } from '../../trace';
import { isTransientError, sqlStateOf } from '../classify-error';
import { httpSql } from '../driver-settings';
import { backOff, retryPolicyFor } from '../retry';
import type { CommitStatus } from './outcome';

type Sql = NeonQueryFunction<false, false>;

/**
 * The statements a write batch sends before its own (`set_config(..., true)` is `SET LOCAL` with
 * a bind parameter). The receipt goes first so that a lookup waits for an in-flight original
 * instead of overtaking it, and a late original fails on it before doing any work.
 */
export function receiptPrefix(
  sql: Sql,
  receipt: string,
  requestId: string,
  statementTimeoutMs: number,
): ReturnType<Sql['query']>[] {
  return [
    sql.query("select set_config('statement_timeout', $1, true)", [String(statementTimeoutMs)]),
    sql.query('insert into tx_receipts (id, request_id) values ($1, $2)', [receipt, requestId]),
  ];
}

// SQLSTATE 55P03 lock_not_available: the original still holds the receipt after lock_timeout.
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Settles an attempt whose reply never came by claiming its receipt: the INSERT waits for an
 * original in flight and conflicts with one that committed; else it writes a `fenced` receipt so
 * the original never commits. The SELECT is a new statement, so it sees the original's row.
 */
export async function settleReceipt(
  config: AppConfig,
  receipt: string,
  requestId: string,
  trace: RequestTrace,
): Promise<CommitStatus> {
  const sql = httpSql(config);
  const policy = retryPolicyFor(config, trace.startedAt);
  // Long enough for an original still in flight to end: its statement timeout plus a margin.
  const lockTimeoutMs = config.statementTimeoutMs + config.connectTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    trace.attempts += 1;
    try {
      const results = await sql.transaction(
        [
          sql.query("select set_config('lock_timeout', $1, true)", [String(lockTimeoutMs)]),
          sql.query(
            `insert into tx_receipts (id, request_id, fenced) values ($1, $2, true)
             on conflict (id) do nothing`,
            [receipt, requestId],
          ),
          sql.query('select fenced from tx_receipts where id = $1', [receipt]),
        ],
        {
          isolationLevel: 'ReadCommitted',
          fetchOptions: { signal: AbortSignal.timeout(lockTimeoutMs + config.connectTimeoutMs) },
        },
      );
      const row = (results[2] as { fenced: boolean }[])[0];
      if (!row) return 'unknown';
      return row.fenced ? 'aborted' : 'committed';
    } catch (error) {
      // Still held after lock_timeout, or an error no retry can cure (a wrong password, a
      // missing table): spending the deadline on it would change nothing.
      if (sqlStateOf(error) === LOCK_NOT_AVAILABLE || !isTransientError(error)) return 'unknown';
    } finally {
      trace.queryMs += Date.now() - started;
    }
    if (!(await backOff(policy, attempt, trace))) return 'unknown';
  }
}
