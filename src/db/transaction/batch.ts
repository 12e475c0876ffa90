import type { HTTPTransactionOptions, NeonQueryFunction } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { AppConfig, IsolationLevel } from '../../config';
import { CommitUnknownError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { classifyDatabaseError, mayHaveCommitted } from '../classify-error';
import { httpSql } from '../driver-settings';
import { backOff, retryPolicyFor } from '../retry';
import * as schema from '../schema';
import { receiptPrefix, settleReceipt } from './receipts';
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
 * The request's {@link WriteBatch}: each attempt is one HTTP transaction (statement timeout, a
 * fresh receipt, the route's statements). A lost reply is settled by {@link settleReceipt}:
 * committed → `recover()`; fenced (aborted) → another attempt; unknown → `commit_unknown`.
 */
export function createWriteBatch(context: WriteBatchContext): WriteBatch {
  return async function batch<T extends WriteBatchItems, R>(
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
      const prefix = receiptPrefix(sql, receipt, requestId, config.statementTimeoutMs);
      const all = [...prefix, ...queries] as Parameters<Sql['transaction']>[0];
      const results = await sql.transaction(all, {
        ...drizzleOptions,
        isolationLevel: NEON_ISOLATION[config.isolationLevel],
        readOnly: false,
        // statement_timeout 0 turns the limit off; the client then imposes none either.
        ...(config.statementTimeoutMs > 0 && {
          fetchOptions: {
            signal: AbortSignal.timeout(config.statementTimeoutMs + config.connectTimeoutMs),
          },
        }),
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
        const status = await settleReceipt(config, receipt, requestId, trace);
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
  };
}
