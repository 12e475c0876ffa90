import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { buildApp, countLists, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

// Lets a test act (terminate the session) while a handler sits inside its transaction.
let pausedInside: (() => void) | undefined;
let resumeHandler: Promise<void> = Promise.resolve();

const routes = new Hono<AppEnv>();
routes.post('/c/create', async (c) => {
  const { names, pause } = await c.req.json<{ names: string[]; pause?: boolean }>();
  const db = await c.var.tx();
  for (const [i, name] of names.entries()) {
    if (pause && i === 1) {
      pausedInside?.();
      await resumeHandler;
    }
    await db.insert(lists).values({ name });
  }
  return c.json({ created: names.length }, 201);
});
routes.post('/c/slow-create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  // Work before the first query that outlasts DB_RETRY_DEADLINE_MS.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await (await c.var.tx()).insert(lists).values({ name });
  return c.json({ name }, 201);
});
routes.get('/c/slow-read', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const rows = await c.var.http().select().from(lists).where(eq(lists.name, 'nobody'));
  return c.json({ rows: rows.length });
});
routes.get('/c/read', async (c) => {
  const rows = await c.var.http().select().from(lists).where(eq(lists.name, 'nobody'));
  return c.json({ rows: rows.length });
});
routes.post('/c/read', async (c) => {
  const rows = await c.var.http().select().from(lists).where(eq(lists.name, 'nobody'));
  return c.json({ rows: rows.length });
});

const endpoint = useSiblingEndpoint({
  clearFaultsAfterEach: true,
  appName: `cold-start-${crypto.randomUUID().slice(0, 8)}`,
});
const { call, postJson } = buildApp(routes);

function envFor(overrides: Record<string, string> = {}) {
  return endpoint.env({
    DB_RETRY_BASE_DELAY_MS: '20',
    DB_RETRY_MAX_DELAY_MS: '200',
    ...overrides,
  });
}

const create = (names: string[], env: Env, pause = false) =>
  postJson('/c/create', { names, pause }, env);

describe('cold start', () => {
  it('succeeds after K failed connects and reports the attempts', async () => {
    await endpoint.setFaults({ suspend: { failCount: 3 } });
    const names = [uniqueName('cold')];
    const result = await create(names, envFor());
    expect(result.status).toBe(201);
    expect(result.res.headers.get('Server-Timing')).toContain('db-attempts;desc="4"');
    expect(logLineOf(result)).toMatchObject({ attempts: 4, outcome: 'committed' });
    expect(await countLists(names)).toBe(1);
  });

  it('waits out a compute that takes a moment to wake within one attempt', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 300 } });
    const names = [uniqueName('wake')];
    const result = await create(names, envFor());
    expect(result.status).toBe(201);
    expect(logLineOf(result)).toMatchObject({ attempts: 1 });
    expect(await countLists(names)).toBe(1);
  });

  it('abandons a hung connect after the connect timeout and tries again', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 1_500 } });
    const names = [uniqueName('hung')];
    const result = await create(names, envFor({ DB_CONNECT_TIMEOUT_MS: '300' }));
    expect(result.status).toBe(201);
    expect(logLineOf(result).attempts).toBeGreaterThan(1);
    expect(await countLists(names)).toBe(1);
  });

  it('answers 503 with Retry-After within the deadline when the compute never wakes', async () => {
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    await endpoint.resetCounters();
    const names = [uniqueName('never')];
    const result = await create(names, envFor({ DB_RETRY_DEADLINE_MS: '1000' }));
    expect(result.status).toBe(503);
    expect(result.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
    expect(result.body).toMatchObject({ code: 'database_unavailable', status: 503 });
    const line = logLineOf(result);
    expect(line.attempts).toBeGreaterThan(1);
    // A backoff is slept only when it ends before the deadline, and the loop stops there: the
    // endpoint saw exactly the attempts the trace reports, none after the answer.
    expect((line.db as { waitMs: number }).waitMs).toBeLessThan(1_000);
    expect((await endpoint.waitForIdle()).wsTotal).toBe(line.attempts);
    expect(await countLists(names)).toBe(0);
  });

  it('answers 503 too_many_connections when the connection cap never lifts', async () => {
    await endpoint.setFaults({ connectionCap: 0 });
    const result = await create([uniqueName('cap')], envFor({ DB_RETRY_DEADLINE_MS: '500' }));
    expect(result.status).toBe(503);
    expect(result.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(result.body).toMatchObject({ code: 'too_many_connections' });
    expect(logLineOf(result)).toMatchObject({ sqlState: '53300' });
  });
});

describe('a handler that spends the retry deadline before its first query', () => {
  const late = () => envFor({ DB_RETRY_DEADLINE_MS: '100' });

  it('still gets one connect attempt for its transaction', async () => {
    const names = [uniqueName('late')];
    const result = await postJson('/c/slow-create', { name: names[0] }, late());
    expect(result.status).toBe(201);
    expect(logLineOf(result)).toMatchObject({ attempts: 1, outcome: 'committed' });
    expect(await countLists(names)).toBe(1);
  });

  it('still gets one attempt for an HTTP read', async () => {
    const result = await call('/c/slow-read', { env: late() });
    expect(result.status).toBe(200);
    expect(logLineOf(result)).toMatchObject({ attempts: 1 });
  });
});

describe('a session terminated mid-transaction', () => {
  it('runs the request again, which writes it once', async () => {
    const names = [uniqueName('first'), uniqueName('second')];
    const paused = new Promise<void>((resolve) => {
      pausedInside = resolve;
    });
    let resume = () => {};
    resumeHandler = new Promise((resolve) => {
      resume = resolve;
    });
    const pending = create(names, envFor(), true);
    await paused;
    expect(await endpoint.terminate()).toBe(1);
    resume();
    const result = await pending;
    // COMMIT was never sent, so the server rolled the first run back: running it again is safe.
    expect(result.status, result.text).toBe(201);
    expect(logLineOf(result)).toMatchObject({ runs: 2, outcome: 'committed' });
    expect(await countLists(names)).toBe(2);
  });
});

describe('reads over HTTP on a waking compute', () => {
  it('retries a GET query after K failed connects and reports the attempts', async () => {
    await endpoint.setFaults({ suspend: { failCount: 3 } });
    const result = await call('/c/read', { env: envFor() });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ rows: 0 });
    expect(result.res.headers.get('Server-Timing')).toContain('db-attempts;desc="4"');
    expect(logLineOf(result)).toMatchObject({ attempts: 4, runs: 1 });
  });

  it('answers a GET 503 with Retry-After within the deadline when the compute never wakes', async () => {
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    await endpoint.resetCounters();
    const result = await call('/c/read', { env: envFor({ DB_RETRY_DEADLINE_MS: '1000' }) });
    expect(result.status).toBe(503);
    expect(result.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    const line = logLineOf(result);
    expect(line.attempts).toBeGreaterThan(1);
    expect(line).toMatchObject({ runs: 1, errorName: 'RetriesExhaustedError' });
    expect((line.db as { waitMs: number }).waitMs).toBeLessThan(1_000);
    expect((await endpoint.waitForIdle()).httpRequests).toBe(line.attempts);
  });

  it('reports 53300 from the HTTP endpoint as too_many_connections', async () => {
    await endpoint.setFaults({ connectionCap: 0 });
    const result = await call('/c/read', { method: 'POST', env: envFor() });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'too_many_connections' });
    expect(logLineOf(result)).toMatchObject({ sqlState: '53300' });
  });

  it('does not replay a POST after a transient failure', async () => {
    await endpoint.setFaults({ suspend: { failCount: 1 } });
    const result = await call('/c/read', { method: 'POST', env: envFor() });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    expect(logLineOf(result)).toMatchObject({ runs: 1, attempts: 1 });
  });
});
