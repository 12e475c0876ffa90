import type { Client } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { endClient } from '../../src/db/ws-client';
import {
  buildApp,
  busyBackends,
  countLists,
  envWith,
  harnessSession,
  logLineOf,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

const routes = new Hono<AppEnv>();
routes.post('/f/create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  await (await c.var.tx()).insert(lists).values({ name });
  return c.json({ name }, 201);
});
routes.get('/f/read/:name', async (c) => {
  const rows = await c.var
    .http()
    .select()
    .from(lists)
    .where(eq(lists.name, c.req.param('name')));
  return c.json({ rows: rows.length });
});

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
const { call, postJson } = buildApp(routes);
// A name of this file's own, so pg_stat_activity shows only this file's app sessions.
const appName = `frozen-${crypto.randomUUID().slice(0, 8)}`;
// Short bounds: connect 300 ms, reply timeout 300 + 500 ms, retries within 1 s.
const env = () =>
  envWith({
    DATABASE_URL: endpoint.databaseUrl,
    APP_NAME: appName,
    DB_CONNECT_TIMEOUT_MS: '300',
    DB_STATEMENT_TIMEOUT_MS: '500',
    DB_RETRY_DEADLINE_MS: '1000',
    DB_RETRY_BASE_DELAY_MS: '20',
    DB_RETRY_MAX_DELAY_MS: '100',
  });

let admin: Client;
beforeAll(async () => {
  admin = await harnessSession();
});
afterAll(async () => {
  if (admin) await endClient(admin);
});
// Resumes every frozen backend even when a test failed (useSiblingEndpoint clears faults too).
afterEach(async () => {
  await endpoint.clearFaults();
});

/** Answers with 503 or 504 as problem+json, and says which. */
function expectUnavailable(result: Awaited<ReturnType<typeof call>>) {
  expect([503, 504], result.text).toContain(result.status);
  expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
  expect(result.body).toMatchObject({ status: result.status, code: expect.any(String) });
}

describe('a frozen PostgreSQL backend (SIGSTOP)', () => {
  it('answers a write with 503/504, and after SIGCONT nothing of it was written', async () => {
    await endpoint.setFaults({ freezeBackends: true });
    const name = uniqueName('frozen-write');
    const result = await postJson('/f/create', { name }, env());
    expectUnavailable(result);
    // The endpoint stops each backend before relaying any statement to it, so no COMMIT was
    // ever sent: the answer is certain, not commit_unknown.
    expect(result.body.code).not.toBe('commit_unknown');
    expect(logLineOf(result).outcome).not.toBe('committed');
    expect((await endpoint.counters()).frozenBackends).toBeGreaterThan(0);
    await endpoint.clearFaults();
    await endpoint.waitForIdle();
    await expect.poll(() => busyBackends(admin, appName)).toBe(0);
    expect(await countLists([name])).toBe(0);
  });

  it('answers a read with 503/504, and after SIGCONT leaves no session of the app busy', async () => {
    await endpoint.setFaults({ freezeBackends: true });
    const name = uniqueName('frozen-read');
    const result = await call(`/f/read/${name}`, { env: env() });
    expectUnavailable(result);
    expect((await endpoint.counters()).frozenBackends).toBeGreaterThan(0);
    await endpoint.clearFaults();
    await endpoint.waitForIdle();
    await expect.poll(() => busyBackends(admin, appName)).toBe(0);
    // Thawed, the same read goes through.
    const again = await call(`/f/read/${name}`, { env: env() });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual({ rows: 0 });
  });
});
