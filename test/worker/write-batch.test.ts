import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { todos } from '../../src/db/schema';
import { endClient } from '../../src/db/ws-client';
import {
  buildApp,
  busyBackends,
  checkDb,
  harnessSession,
  logLineOf,
  useSiblingEndpoint,
} from './core-harness';
import { AUTH, createList, db } from './todo-api-helpers';

// Each test drives POST /todos through its own endpoint and follows its receipts by request id.
const appName = `write-batch-${crypto.randomUUID().slice(0, 8)}`;
const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true, appName });
const routes = new Hono<AppEnv>();
const nothing = { result: () => null, recover: async () => null };
routes.post('/wb/twice', async (c) => {
  await c.var.batch((db) => [db.select().from(todos).limit(0)], nothing);
  if (c.req.query('then') === 'tx') await c.var.tx();
  else await c.var.batch((db) => [db.select().from(todos).limit(0)], nothing);
  return c.body(null, 204);
});
const app = buildApp(routes);

function create(requestId: string, listId: string, title: string, vars: Record<string, string>) {
  return app.call('/todos', {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify({ listId, title }),
    env: endpoint.env({ ...vars }),
  });
}

async function receiptsOf(requestId: string): Promise<boolean[]> {
  const rows = await checkDb().query(
    'select fenced from tx_receipts where request_id = $1 order by created_at',
    [requestId],
  );
  return rows.map((r) => r.fenced as boolean);
}

async function titlesIn(listId: string): Promise<string[]> {
  const rows = await db()`select title from todos where list_id = ${listId}`;
  return rows.map((r) => r.title as string);
}

/** Waits until the endpoint has received `statements` statements in total (late ones included). */
async function receivedStatements(statements: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const { httpQueries } = await endpoint.counters();
      if (httpQueries < statements) throw new Error(`${httpQueries} of ${statements} statements`);
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('a write batch', () => {
  it.each(['batch', 'tx'])('refuses a %s after a batch in the same request', async (then) => {
    const res = await app.call(`/wb/twice?then=${then}`, { method: 'POST', headers: AUTH });
    expect(res.status).toBe(500);
    expect(logLineOf(res)).toMatchObject({ errorName: 'TxMisuseError', batches: 1 });
  });

  it('commits in one round trip with one unfenced receipt', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.waitForIdle();
    await endpoint.resetCounters();
    const res = await create(requestId, list.id, 'one trip', {});
    expect(res.status).toBe(201);
    expect((await endpoint.waitForIdle()).roundTrips).toBe(1);
    expect(logLineOf(res)).toMatchObject({ batches: 1, outcome: 'committed' });
    expect(res.res.headers.get('Server-Timing')).toContain('db-batches;desc="1"');
    expect(await receiptsOf(requestId)).toEqual([false]);
    expect(await titlesIn(list.id)).toEqual(['one trip']);
  });

  it('settles a delayed original as not committed, fences it, and writes once', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.resetCounters();
    // The original waits 2 s inside the endpoint, after its body arrived; the Worker gives up
    // on it after 500 ms (connect + statement timeout). The lookup and the retry go straight through.
    await endpoint.setFaults({ latencyMs: 2_000 });
    const pending = create(requestId, list.id, 'delayed', {
      DB_CONNECT_TIMEOUT_MS: '200',
      DB_STATEMENT_TIMEOUT_MS: '300',
    });
    await originalArrived();
    await endpoint.setFaults({ latencyMs: 0 });
    const res = await pending;
    expect(res.status, res.text).toBe(201);
    expect(logLineOf(res)).toMatchObject({ commitLookup: 'aborted', outcome: 'committed' });
    // original (3 statements, run late) + lookup (3) + retry (3): the original did reach Postgres,
    // and failed on the fence its receipt found there.
    await receivedStatements(9);
    await endpoint.waitForIdle();
    expect(await receiptsOf(requestId)).toEqual([true, false]);
    expect(await titlesIn(list.id)).toEqual(['delayed']);
  });

  it("answers the route's 201 when the batch committed but its reply was lost", async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.resetCounters();
    // The Worker gives up at 1.2 s (connect 1 s + statement 0.2 s); the original arrives at 1.6 s
    // and commits. The lookup, sent at 1.2 s, arrives at 2.8 s (its own limit is 2.2 s after
    // sending), finds the committed receipt, and the answer is rebuilt by reading.
    await endpoint.setFaults({ latencyMs: 1_600 });
    const pending = create(requestId, list.id, 'reply lost', {
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '200',
    });
    await receivedStatements(3);
    await endpoint.setFaults({ latencyMs: 0 });
    const res = await pending;
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ listId: list.id, title: 'reply lost' });
    expect(logLineOf(res)).toMatchObject({ commitLookup: 'committed', outcome: 'committed' });
    expect(await receiptsOf(requestId)).toEqual([false]);
    expect(await titlesIn(list.id)).toEqual(['reply lost']);
  });

  it('retries a batch the compute refused once it can tell nothing committed', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    // The original and the first lookup are refused (a waking compute); the next lookup fences.
    await endpoint.setFaults({ suspend: { failCount: 2 } });
    const res = await create(requestId, list.id, 'cold start', {});
    expect(res.status, res.text).toBe(201);
    expect(logLineOf(res)).toMatchObject({ commitLookup: 'aborted', outcome: 'committed' });
    expect(await receiptsOf(requestId)).toEqual([true, false]);
    expect(await titlesIn(list.id)).toEqual(['cold start']);
  });

  it('sends a batch again, without a lookup, when a connection cap refused it (53300)', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.setFaults({ connectionCap: 0 });
    const lift = new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
      endpoint.clearFaults(),
    );
    const res = await create(requestId, list.id, 'capped', { DB_MAX_TX_ATTEMPTS: '10' });
    await lift;
    expect(res.status).toBe(201);
    const line = logLineOf(res);
    expect(line.attempts).toBeGreaterThan(1);
    expect(line).toMatchObject({ outcome: 'committed', batches: 1 });
    expect(line.commitLookup).toBeUndefined();
    expect(await receiptsOf(requestId)).toEqual([false]);
    expect(await titlesIn(list.id)).toEqual(['capped']);
  });

  it('answers 503 commit_unknown when the outcome cannot be looked up before the deadline', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    const res = await create(requestId, list.id, 'unknown', { DB_RETRY_DEADLINE_MS: '1500' });
    expect(res.status).toBe(503);
    expect(res.res.headers.get('Content-Type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ code: 'commit_unknown', status: 503 });
    expect(res.res.headers.get('Retry-After')).toBe('5');
    expect(logLineOf(res)).toMatchObject({ commitLookup: 'unknown', outcome: 'unknown' });
    expect(await receiptsOf(requestId)).toEqual([]);
    expect(await titlesIn(list.id)).toEqual([]);
  });

  it('answers 504 on a locked row and leaves neither the todo nor its receipt', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    const locker = await harnessSession();
    try {
      await locker.query('BEGIN');
      // The insert's foreign-key check needs a share lock on this list's row.
      await locker.query('SELECT 1 FROM lists WHERE id = $1 FOR UPDATE', [list.id]);
      const res = await create(requestId, list.id, 'locked', { DB_STATEMENT_TIMEOUT_MS: '300' });
      expect(res.status, res.text).toBe(504);
      expect(res.res.headers.get('Content-Type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'statement_timeout' });
      expect(logLineOf(res)).toMatchObject({ sqlState: '57014', outcome: 'rolled_back' });
      // PostgreSQL cancelled it: nothing of the app waits on the lock any more.
      expect(await busyBackends(locker, appName)).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await endClient(locker);
    }
    expect(await receiptsOf(requestId)).toEqual([]);
    expect(await titlesIn(list.id)).toEqual([]);
  });

  it('answers commit_unknown when PostgreSQL freezes under it, and after SIGCONT the todo exists only with its receipt', async () => {
    const list = await createList();
    const requestId = `wb-${crypto.randomUUID()}`;
    await endpoint.setFaults({ freezeBackends: true });
    const res = await create(requestId, list.id, 'frozen', {
      DB_CONNECT_TIMEOUT_MS: '200',
      DB_STATEMENT_TIMEOUT_MS: '200',
      DB_RETRY_DEADLINE_MS: '1000',
    });
    // The batch and every lookup meet a stopped backend: nobody can say whether it committed.
    expect(res.status, res.text).toBe(503);
    expect(res.body).toMatchObject({ code: 'commit_unknown' });
    expect(logLineOf(res)).toMatchObject({ commitLookup: 'unknown', outcome: 'unknown' });
    expect((await endpoint.counters()).frozenBackends).toBeGreaterThan(0);
    await endpoint.clearFaults();
    await endpoint.waitForIdle();
    const harness = await harnessSession();
    try {
      await expect.poll(() => busyBackends(harness, appName), { timeout: 5_000 }).toBe(0);
    } finally {
      await endClient(harness);
    }
    // Resumed, the original and the lookup's fence race for the receipt's key; whichever won,
    // the todo is there exactly when an unfenced receipt is, and never twice.
    const receipts = await receiptsOf(requestId);
    expect(await titlesIn(list.id)).toEqual(receipts.includes(false) ? ['frozen'] : []);
  });
});

/** Waits until the original is inside the endpoint and has begun its delay. */
async function originalArrived(): Promise<void> {
  await vi.waitFor(
    async () => {
      const { httpInFlight } = await endpoint.counters();
      if (httpInFlight < 1) throw new Error('the original has not arrived');
    },
    { timeout: 5_000, interval: 10 },
  );
  // Its body is read locally in well under this; the delay starts right after.
  await new Promise((resolve) => setTimeout(resolve, 100));
}
