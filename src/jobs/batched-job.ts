import { Client } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { type IsolationLevel, loadConfig } from '../config';
import { applyDriverSettings } from '../db/driver-settings';
import { replyTimeoutMs, retryPolicyFor, retryTransient, withinReplyTimeout } from '../db/retry';
import * as schema from '../db/schema';
import { beginStatements, refuseNestedTransaction, type TxDatabase } from '../db/transaction';
import { dropClient, endClient } from '../db/ws-client';
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

/** `maxBatches` bounds one invocation; `statementTimeoutMs` applies per statement. */
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
  const statementTimeoutMs = options.statementTimeoutMs ?? config.statementTimeoutMs;
  const client = await retryTransient(
    async (timeoutMs) => {
      const candidate = new Client({ connectionString: config.databaseUrl });
      candidate.on('error', () => {});
      applyDriverSettings(config, candidate);
      try {
        // With pipelineConnect "password" connect() resolves when the socket opens; the server's
        // answer to the startup (e.g. "compute is suspended") comes with the first query's.
        const ready = candidate.connect().then(() => candidate.query('SELECT 1'));
        await withinReplyTimeout(ready, timeoutMs, undefined, (ms) => new ConnectTimeoutError(ms));
        return candidate;
      } catch (error) {
        void endClient(candidate);
        throw error;
      }
    },
    retryPolicyFor(config, Date.now()),
    { attempts: 0, waitMs: 0 },
  );
  // A silently dead socket would otherwise hang the job; dropping it rolls the batch back.
  const replyMs = replyTimeoutMs({ ...config, statementTimeoutMs });
  const query = (text: unknown, values?: unknown[]) =>
    withinReplyTimeout(client.query(text as string, values), replyMs, () => dropClient(client));
  // drizzle calls only `query` on its client; every call goes through the bound above.
  const db = drizzle({ client: { query } as unknown as Client, schema });
  db.transaction = refuseInBatch;
  const begin = beginStatements({
    isolationLevel: options.isolationLevel ?? config.isolationLevel,
    readOnly: false,
    statementTimeoutMs,
  }).join('; ');
  let batches = 0;
  try {
    for (let more = true; more; batches += 1) {
      if (batches >= maxBatches) return { batches, finished: false };
      await query(begin);
      more = await step(db, batches);
      // Postgres answers COMMIT of a failed transaction with ROLLBACK, not an error. A batch
      // that fails needs no ROLLBACK either: ending the session rolls it back.
      if ((await query('COMMIT')).command !== 'COMMIT') throw new BatchAbortedError(batches);
    }
    return { batches, finished: true };
  } finally {
    await endClient(client);
  }
}
