import { sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { classifyDatabaseError } from '../db/classify-error';
import { idempotencyKeys, txReceipts } from '../db/schema';
import { type BatchedJobReport, runBatchedJob } from './batched-job';

/** A table whose rows expire: what the purge deletes by, and the name its log line carries. */
export type ExpiringRows = { name: string; table: PgTable; key: PgColumn; createdAt: PgColumn };

/** Idempotency-Key records: a client must not retry with a key after they are gone. */
export const IDEMPOTENCY_KEYS: ExpiringRows = {
  name: 'idempotency-keys',
  table: idempotencyKeys,
  key: idempotencyKeys.key,
  createdAt: idempotencyKeys.createdAt,
};

/** Write batch receipts; a fence need outlive its late original only by connect + statement timeout. */
export const TX_RECEIPTS: ExpiringRows = {
  name: 'tx-receipts',
  table: txReceipts,
  key: txReceipts.id,
  createdAt: txReceipts.createdAt,
};

/** Options of {@link purgeExpired}. */
export type PurgeOptions = { olderThanHours?: number; batchSize?: number; maxBatches?: number };

/** Deletes expired rows one committed batch at a time, so a backlog never holds long locks. */
export function purgeExpired(
  env: Env,
  rows: ExpiringRows,
  { olderThanHours = 24, batchSize = 500, maxBatches = 50 }: PurgeOptions = {},
): Promise<BatchedJobReport> {
  const { table, key, createdAt } = rows;
  return runBatchedJob(
    env,
    async (db) => {
      const deleted = await db.execute(sql`
        delete from ${table} where ${key} in (
          select ${key} from ${table}
          where ${createdAt} < now() - make_interval(hours => ${olderThanHours})
          order by ${createdAt}
          limit ${batchSize}
          for update skip locked)`);
      return (deleted.rowCount ?? 0) === batchSize;
    },
    { maxBatches },
  );
}

/** Runs the purge and writes one JSON log line (codes only, never an error message). */
export async function logPurge(env: Env, rows: ExpiringRows, options?: PurgeOptions) {
  const started = Date.now();
  const msg = `purge-${rows.name}`;
  try {
    const report = await purgeExpired(env, rows, options);
    console.log(JSON.stringify({ level: 'info', msg, ms: Date.now() - started, ...report }));
  } catch (error) {
    const { kind, sqlState } = classifyDatabaseError(error);
    console.log(
      JSON.stringify({ level: 'error', msg: `${msg} failed`, errorKind: kind, sqlState }),
    );
  }
}
