import { Client } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { type IsolationLevel, loadConfig } from '../config';
import { applyDriverSettings } from '../db/driver-settings';
import { retryPolicyFor, retryTransient, sleep } from '../db/retry';
import * as schema from '../db/schema';
import { beginStatements, refuseNestedTransaction, type TxDatabase } from '../db/transaction';
import { endClient } from '../db/ws-client';
import { AppError, ConnectTimeoutError } from '../errors';

/** A statement failed inside a batch (and was caught), so COMMIT rolled the batch back. */
export class BatchAbortedError extends AppError {
  override readonly name = 'BatchAbortedError';
  constructor(readonly batch: number) {
    super('batch_aborted', `batch ${batch} was rolled back: a statement inside it failed`);
  }
}

const refuseInBatch = refuseNestedTransaction(
  'Each batch of runBatchedJob is already a transaction: run statements on db directly.',
);

/** One batch: do some work in `db` (its own transaction); return false when nothing is left. */
export type BatchStep = (db: TxDatabase, batch: number) => Promise<boolean>;

/** `maxBatches` bounds one invocation; `statementTimeoutMs` applies per batch. */
export type BatchedJobOptions = {
  maxBatches?: number;
  isolationLevel?: IsolationLevel;
  statementTimeoutMs?: number;
};

/** What a job did: batches committed, and whether it stopped with work left. */
export type BatchedJobReport = { batches: number; finished: boolean };

/**
 * Long work on one WebSocket connection (a Cron Trigger, a queue consumer), one transaction per
 * batch, so a failure loses only the current batch.
 * @example ctx.waitUntil(runBatchedJob(env, (db) => deleteSomeRows(db)))
 */
export async function runBatchedJob(
  env: Env,
  step: BatchStep,
  options: BatchedJobOptions = {},
): Promise<BatchedJobReport> {
  const config = loadConfig(env);
  const maxBatches = options.maxBatches ?? 100;
  const client = await retryTransient(
    async (timeoutMs) => {
      const candidate = new Client({ connectionString: config.databaseUrl });
      candidate.on('error', () => {});
      applyDriverSettings(config, candidate);
      const timeout = sleep(timeoutMs).then(() => {
        throw new ConnectTimeoutError(timeoutMs);
      });
      try {
        await Promise.race([candidate.connect().then(() => candidate.query('SELECT 1')), timeout]);
        return candidate;
      } catch (error) {
        void endClient(candidate);
        throw error;
      }
    },
    retryPolicyFor(config, Date.now()),
    { attempts: 0, waitMs: 0 },
  );
  const db = drizzle({ client, schema });
  db.transaction = refuseInBatch;
  const begin = beginStatements({
    isolationLevel: options.isolationLevel ?? config.isolationLevel,
    readOnly: false,
    statementTimeoutMs: options.statementTimeoutMs ?? config.statementTimeoutMs,
  }).join('; ');
  let batches = 0;
  try {
    for (let more = true; more; ) {
      if (batches >= maxBatches) return { batches, finished: false };
      await client.query(begin);
      try {
        more = await step(db, batches);
        const reply = await client.query('COMMIT');
        // Postgres answers COMMIT of a failed transaction with ROLLBACK, not an error.
        if (reply.command !== 'COMMIT') throw new BatchAbortedError(batches);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      batches += 1;
    }
    return { batches, finished: true };
  } finally {
    await endClient(client);
  }
}
