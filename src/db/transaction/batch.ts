import type { HTTPTransactionOptions, NeonQueryFunction } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { AppConfig, IsolationLevel } from '../../config';
import { CommitUnknownError } from '../../errors';
import type { RequestTrace } from '../../trace';
import {
  classifyDatabaseError,
  isTransientError,
  mayHaveCommitted,
  sqlStateOf,
} from '../classify-error';
import { httpSql } from '../driver-settings';
import { backOff, replyTimeoutMs, retryPolicyFor } from '../retry';
import * as schema from '../schema';
import type { CommitStatus } from './outcome';
import type { HttpDatabase, WriteBatch, WriteBatchItems, WriteBatchOptions } from './types';

type Sql = NeonQueryFunction<false, false>;
type Query = ReturnType<Sql['query']>;

/** What a write batch needs from its request (`requestId` is stored with each receipt). */
export type WriteBatchContext = { config: AppConfig; trace: RequestTrace; requestId: string };

// The names Neon's `Neon-Batch-Isolation-Level` header takes.
const NEON_ISOLATION = {
  'read committed': 'ReadCommitted',
  'repeatable read': 'RepeatableRead',
  serializable: 'Serializable',
} as const satisfies Record<IsolationLevel, HTTPTransactionOptions<false, false>['isolationLevel']>;

/**
 * Runs the request's {@link WriteBatch}: each attempt is one HTTP transaction (statement timeout,
 * a fresh receipt, the route's statements). A lost reply is settled by {@link settleReceipt}:
 * committed → `recover()`; fenced (aborted) → another attempt; unknown → `commit_unknown`.
 */
export async function runWriteBatch<T extends WriteBatchItems, R>(
  context: WriteBatchContext,
  build: (db: HttpDatabase) => T,
  options: WriteBatchOptions<T, R>,
): Promise<R> {
  const { config, trace, requestId } = context;
  trace.batches += 1;
  const sql = httpSql(config);
  const policy = retryPolicyFor(config, trace.startedAt);
  let receipt = '';
  // drizzle maps a batch's results to its items by position, so the prefix's results are hidden.
  const transaction = async (queries: Query[], drizzleOptions?: object) => {
    // `set_config(..., true)` is `SET LOCAL` with a bind parameter. The receipt goes first so
    // that a lookup waits for an in-flight original instead of overtaking it, and a late
    // original fails on it before doing any work.
    const prefix = [
      sql.query("select set_config('statement_timeout', $1, true)", [
        String(config.statementTimeoutMs),
      ]),
      sql.query('insert into tx_receipts (id, request_id) values ($1, $2)', [receipt, requestId]),
    ];
    const all = [...prefix, ...queries] as Parameters<Sql['transaction']>[0];
    // Postgres bounds the receipt and each of the route's statements by statement_timeout.
    const waitMs = replyTimeoutMs(config, queries.length + 1);
    const results = await sql.transaction(all, {
      ...drizzleOptions,
      isolationLevel: NEON_ISOLATION[config.isolationLevel],
      readOnly: false,
      ...(waitMs !== undefined && { fetchOptions: { signal: AbortSignal.timeout(waitMs) } }),
    });
    return results.slice(prefix.length);
  };
  const client = Object.assign(((...args: Parameters<Sql>) => sql(...args)) as Sql, {
    query: sql.query,
    unsafe: sql.unsafe,
    transaction: transaction as Sql['transaction'],
  });
  const db: HttpDatabase = drizzle({ client, schema });
  for (let attempt = 1; ; attempt++) {
    receipt = crypto.randomUUID();
    const items = build(db);
    const started = Date.now();
    trace.attempts += 1;
    const reply = await db.batch(items).then(
      (responses) => ({ responses }),
      (failure: unknown) => ({ failure }),
    );
    trace.queryMs += Date.now() - started;
    if ('responses' in reply) {
      trace.outcome = 'committed';
      return options.result(reply.responses);
    }
    const { failure } = reply;
    // 53300: the endpoint refused the connection, so nothing ran; try again, no lookup needed.
    if (classifyDatabaseError(failure).kind !== 'too_many_connections') {
      if (!mayHaveCommitted(failure)) {
        trace.outcome = 'rolled_back';
        throw failure;
      }
      const status = await settleReceipt(context, receipt, items.length + 1);
      trace.commitLookup = status;
      if (status === 'committed') {
        trace.outcome = 'committed';
        return options.recover();
      }
      if (status === 'unknown') {
        trace.outcome = 'unknown';
        throw new CommitUnknownError(failure);
      }
    }
    trace.outcome = 'rolled_back';
    if (attempt >= config.maxTxAttempts || !(await backOff(policy, attempt, trace))) {
      throw failure;
    }
  }
}

// SQLSTATE 55P03 lock_not_available: the original still holds the receipt after lock_timeout.
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Settles an attempt whose reply never came by claiming its receipt: the INSERT waits for an
 * original in flight and conflicts with one that committed; else it writes a `fenced` receipt so
 * the original never commits. The SELECT is a new statement, so it sees the original's row.
 */
async function settleReceipt(
  { config, trace, requestId }: WriteBatchContext,
  receipt: string,
  statements: number,
): Promise<CommitStatus> {
  const sql = httpSql(config);
  const policy = retryPolicyFor(config, trace.startedAt);
  // Long enough for an original still in flight to end: its statements' timeouts plus a margin.
  const lockTimeoutMs = replyTimeoutMs(config, statements) ?? config.connectTimeoutMs;
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
