import { sql } from 'drizzle-orm';
import { classifyDatabaseError } from '../db/classify-error';
import { idempotencyKeys } from '../db/schema';
import { type BatchedJobReport, runBatchedJob } from './batched-job';

/** Options of {@link purgeIdempotencyKeys}. */
export type PurgeOptions = {
  /** Keys older than this are deleted; clients must not retry with a key after it. */
  olderThanHours?: number;
  batchSize?: number;
  maxBatches?: number;
};

/**
 * Deletes expired Idempotency-Key records in batches of `batchSize`, one commit per batch, so
 * a large backlog never holds locks or a long transaction. Meant for a Cron Trigger.
 */
export function purgeIdempotencyKeys(
  env: Env,
  { olderThanHours = 24, batchSize = 500, maxBatches = 50 }: PurgeOptions = {},
): Promise<BatchedJobReport> {
  return runBatchedJob(
    env,
    async (db) => {
      const deleted = await db.execute(sql`
        delete from ${idempotencyKeys} where ${idempotencyKeys.key} in (
          select ${idempotencyKeys.key} from ${idempotencyKeys}
          where ${idempotencyKeys.createdAt} < now() - make_interval(hours => ${olderThanHours})
          order by ${idempotencyKeys.createdAt}
          limit ${batchSize}
          for update skip locked)`);
      return (deleted.rowCount ?? 0) === batchSize;
    },
    { maxBatches },
  );
}

/** Runs the purge and writes one JSON log line (codes only, never an error message). */
export async function logPurgeOfIdempotencyKeys(env: Env, options?: PurgeOptions): Promise<void> {
  const started = Date.now();
  try {
    const report = await purgeIdempotencyKeys(env, options);
    console.log(
      JSON.stringify({
        level: 'info',
        msg: 'purge-idempotency-keys',
        ms: Date.now() - started,
        ...report,
      }),
    );
  } catch (error) {
    const { kind, sqlState } = classifyDatabaseError(error);
    console.log(
      JSON.stringify({
        level: 'error',
        msg: 'purge-idempotency-keys failed',
        errorKind: kind,
        sqlState,
      }),
    );
  }
}
