import { sql } from 'drizzle-orm';
import { classifyDatabaseError } from '../db/classify-error';
import { txReceipts } from '../db/schema';
import { type BatchedJobReport, runBatchedJob } from './batched-job';

/** Options of {@link purgeTxReceipts}. */
export type PurgeReceiptsOptions = {
  /**
   * Receipts older than this are deleted. A fence must outlive any late original of its batch
   * (at most connect + statement timeout), so keep it far above that.
   */
  olderThanHours?: number;
  batchSize?: number;
  maxBatches?: number;
};

/**
 * Deletes old write batch receipts in batches of `batchSize`, one commit per batch, so a large
 * backlog never holds locks or a long transaction. Meant for a Cron Trigger.
 */
export function purgeTxReceipts(
  env: Env,
  { olderThanHours = 24, batchSize = 500, maxBatches = 50 }: PurgeReceiptsOptions = {},
): Promise<BatchedJobReport> {
  return runBatchedJob(
    env,
    async (db) => {
      const deleted = await db.execute(sql`
        delete from ${txReceipts} where ${txReceipts.id} in (
          select ${txReceipts.id} from ${txReceipts}
          where ${txReceipts.createdAt} < now() - make_interval(hours => ${olderThanHours})
          order by ${txReceipts.createdAt}
          limit ${batchSize}
          for update skip locked)`);
      return (deleted.rowCount ?? 0) === batchSize;
    },
    { maxBatches },
  );
}

/** Runs the purge and writes one JSON log line (codes only, never an error message). */
export async function logPurgeOfTxReceipts(
  env: Env,
  options?: PurgeReceiptsOptions,
): Promise<void> {
  const started = Date.now();
  try {
    const report = await purgeTxReceipts(env, options);
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'purge-tx-receipts',
        ms: Date.now() - started,
        ...report,
      }),
    );
  } catch (error) {
    const { kind, sqlState } = classifyDatabaseError(error);
    console.log(
      JSON.stringify({
        level: 'error',
        msg: 'purge-tx-receipts failed',
        errorKind: kind,
        sqlState,
      }),
    );
  }
}
