import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lists } from '../../src/db/schema';
import { endClient } from '../../src/db/ws-client';
import worker from '../../src/index';
import { BatchAbortedError, runBatchedJob } from '../../src/jobs/batched-job';
import { IDEMPOTENCY_KEYS, purgeExpired, TX_RECEIPTS } from '../../src/jobs/purge-expired';
import {
  busyBackends,
  checkDb,
  envWith,
  harnessSession,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
let env: Env;

beforeAll(() => {
  env = envWith({ DATABASE_URL: endpoint.databaseUrl, DB_RETRY_BASE_DELAY_MS: '20' });
});
afterEach(async () => {
  const idle = await endpoint.waitForIdle();
  expect(idle.wsOpen).toBe(0);
});

async function countNames(prefix: string): Promise<number> {
  const rows = await checkDb().query('select count(*)::int as n from lists where name like $1', [
    `${prefix}%`,
  ]);
  return rows[0]?.n as number;
}

describe('runBatchedJob', () => {
  it('commits each batch on one connection', async () => {
    const prefix = uniqueName('batch');
    await endpoint.resetCounters();
    const report = await runBatchedJob(env, async (db, batch) => {
      await db.insert(lists).values({ name: `${prefix}-${batch}` });
      return batch < 2;
    });
    expect(report).toEqual({ batches: 3, finished: true });
    expect(await countNames(prefix)).toBe(3);
    expect((await endpoint.counters()).wsTotal).toBe(1);
  });

  it('keeps the batches committed before a failing one, and loses only that one', async () => {
    const prefix = uniqueName('batch-fail');
    const job = runBatchedJob(env, async (db, batch) => {
      await db.insert(lists).values({ name: `${prefix}-${batch}` });
      if (batch === 2) await db.execute(sql`select 1 / 0`);
      return true;
    });
    await expect(job).rejects.toThrow();
    expect(await countNames(prefix)).toBe(2);
  });

  it('counts a batch whose COMMIT rolled back (a swallowed failed statement) as failed', async () => {
    const prefix = uniqueName('batch-swallow');
    const job = runBatchedJob(env, async (db, batch) => {
      await db.insert(lists).values({ name: `${prefix}-${batch}` });
      if (batch === 1) await db.execute(sql`select 1 / 0`).catch(() => {});
      return batch < 3;
    });
    await expect(job).rejects.toThrow(BatchAbortedError);
    expect(await countNames(prefix)).toBe(1);
  });

  it("refuses drizzle's transaction() inside a batch", async () => {
    const prefix = uniqueName('batch-nested');
    const job = runBatchedJob(env, async (db) => {
      await db.insert(lists).values({ name: `${prefix}-0` });
      await db.transaction(async (inner) => {
        await inner.insert(lists).values({ name: `${prefix}-1` });
      });
      return false;
    });
    await expect(job).rejects.toThrow(/already a transaction/);
    expect(await countNames(prefix)).toBe(0);
  });

  it('stops at maxBatches and says work is left', async () => {
    const report = await runBatchedJob(env, async () => true, { maxBatches: 2 });
    expect(report).toEqual({ batches: 2, finished: false });
  });

  it('drops a connection whose reply does not come, losing only the current batch', async () => {
    const prefix = uniqueName('batch-silent');
    const appName = `batch-silent-${crypto.randomUUID().slice(0, 8)}`;
    const quick = envWith({
      DATABASE_URL: endpoint.databaseUrl,
      APP_NAME: appName,
      DB_CONNECT_TIMEOUT_MS: '200',
    });
    const job = runBatchedJob(
      quick,
      async (db, batch) => {
        // From batch 1 on, the endpoint holds each message longer than the reply bound.
        if (batch === 1) await endpoint.setFaults({ latencyMs: 1_500 });
        await db.insert(lists).values({ name: `${prefix}-${batch}` });
        return true;
      },
      { statementTimeoutMs: 200 },
    );
    await expect(job).rejects.toMatchObject({ cause: { name: 'ReplyTimeoutError' } });
    const admin = await harnessSession();
    try {
      // The held INSERT reaches its session late, which then closes and rolls it back.
      await vi.waitFor(async () => expect(await busyBackends(admin, appName)).toBe(0), {
        timeout: 5_000,
        interval: 50,
      });
    } finally {
      await endClient(admin);
    }
    expect(await countNames(prefix)).toBe(1);
  });

  it('waits out a cold start before the first batch', async () => {
    await endpoint.setFaults({ suspend: { failCount: 2 } });
    const report = await runBatchedJob(env, async () => false);
    expect(report).toEqual({ batches: 1, finished: true });
  });
});

describe('purgeExpired(IDEMPOTENCY_KEYS)', () => {
  it('deletes expired keys in batches and keeps fresh ones', async () => {
    const prefix = uniqueName('idem');
    const db = checkDb();
    await db.query(
      `insert into idempotency_keys (key, request_hash, created_at)
       select $1 || '-old-' || g, 'h', now() - interval '48 hours' from generate_series(1, 5) g`,
      [prefix],
    );
    await db.query(`insert into idempotency_keys (key, request_hash) values ($1 || '-new', 'h')`, [
      prefix,
    ]);
    const report = await purgeExpired(env, IDEMPOTENCY_KEYS, { batchSize: 2 });
    expect(report.finished).toBe(true);
    expect(report.batches).toBeGreaterThanOrEqual(3);
    const left = await db.query('select key from idempotency_keys where key like $1', [
      `${prefix}%`,
    ]);
    expect(left.map((r) => r.key)).toEqual([`${prefix}-new`]);
  });
});

describe('purgeExpired(TX_RECEIPTS)', () => {
  it('deletes old receipts in batches and keeps fresh ones', async () => {
    const requestId = uniqueName('receipts');
    const db = checkDb();
    await db.query(
      `insert into tx_receipts (id, request_id, created_at)
       select gen_random_uuid(), $1, now() - interval '48 hours' from generate_series(1, 5)`,
      [requestId],
    );
    await db.query('insert into tx_receipts (id, request_id) values (gen_random_uuid(), $1)', [
      requestId,
    ]);
    const report = await purgeExpired(env, TX_RECEIPTS, { batchSize: 2 });
    expect(report.finished).toBe(true);
    const left = await db.query(
      `select count(*)::int as n from tx_receipts where request_id = $1`,
      [requestId],
    );
    expect(left[0]?.n).toBe(1);
  });
});

describe('the scheduled handler', () => {
  it('purges expired idempotency keys and receipts, one line each with codes only', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    try {
      const ctx = createExecutionContext();
      worker.scheduled(createScheduledController(), env, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      spy.mockRestore();
    }
    for (const job of ['purge-idempotency-keys', 'purge-tx-receipts']) {
      const line = JSON.parse(lines.find((l) => l.includes(job)) ?? '{}');
      expect(line).toMatchObject({ level: 'info', finished: true });
    }
  });
});
