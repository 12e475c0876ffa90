import { eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { ApiError } from '../../src/errors';
import { createApp } from '../../src/index';
import { buildApp, countLists, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

const routes = new Hono<AppEnv>();
routes.post('/t/create', async (c) => {
  const { name, after } = await c.req.json<{ name: string; after?: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  if (after === 'throw') throw new ApiError(422, 'probe_failed', 'The probe asked to fail.');
  if (after === 'status') return c.json({ refused: true }, 409);
  if (after === 'crash') throw new TypeError('handler bug');
  return c.json({ created: name }, 201);
});
routes.post('/t/create-many', async (c) => {
  const { names } = await c.req.json<{ names: string[] }>();
  const db = await c.var.tx();
  for (const name of names) await db.insert(lists).values({ name });
  return c.json({ created: names.length }, 201);
});
routes.post('/t/swallow', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  await db
    .insert(lists)
    .values({ name })
    .catch(() => undefined);
  return c.json({ saved: 'supposedly' });
});
routes.get('/t/no-db', (c) => c.json({ ok: true }));
routes.post('/t/nested', async (c) => {
  const db = await c.var.tx();
  await db.transaction(async () => {});
  return c.json({ ok: true });
});
routes.get('/t/read-tx', async (c) => {
  const db = await c.var.tx();
  const names = (c.req.query('names') ?? '').split(',');
  for (const name of names) await db.select().from(lists).where(eq(lists.name, name));
  return c.json({ reads: names.length });
});
routes.post('/t/tx-unused', async (c) => {
  await c.var.tx();
  return c.json({ ok: true });
});
routes.get('/t/settings', async (c) => {
  const db = await c.var.tx();
  const { rows } = await db.execute(sql`select current_setting('transaction_read_only') as ro,
    current_setting('transaction_isolation') as iso, current_setting('statement_timeout') as st,
    current_setting('application_name') as app`);
  return c.json(rows[0]);
});
routes.post('/t/settings', async (c) => {
  const db = await c.var.tx({ isolationLevel: 'serializable' });
  const { rows } = await db.execute(sql`select current_setting('transaction_read_only') as ro,
    current_setting('transaction_isolation') as iso`);
  return c.json(rows[0]);
});
routes.get('/t/read', async (c) => {
  const rows = await c.var
    .http()
    .select()
    .from(lists)
    .where(eq(lists.name, c.req.query('name') ?? ''));
  return c.json({ rows: rows.length });
});

const endpoint = useSiblingEndpoint({ appName: 'core-transaction-test' });
let env: Env;
const { call } = buildApp(routes);

beforeAll(() => {
  env = endpoint.env();
});
afterEach(async () => {
  const idle = await endpoint.waitForIdle();
  expect(idle.wsOpen).toBe(0);
  expect(idle.httpInFlight).toBe(0);
});

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
  env,
});

describe('the transaction middleware', () => {
  it('commits when the handler succeeds', async () => {
    const name = uniqueName('commit');
    const result = await call('/t/create', post({ name }));
    expect(result.status).toBe(201);
    expect(logLineOf(result)).toMatchObject({ outcome: 'committed', status: 201, attempts: 1 });
    expect(await countLists([name])).toBe(1);
  });

  it('rolls back when the handler throws', async () => {
    const name = uniqueName('throw');
    const result = await call('/t/create', post({ name, after: 'throw' }));
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ code: 'probe_failed', status: 422 });
    expect(logLineOf(result)).toMatchObject({ outcome: 'rolled_back', code: 'probe_failed' });
    expect(await countLists([name])).toBe(0);
  });

  it('rolls back when the handler returns an error status', async () => {
    const name = uniqueName('status');
    const result = await call('/t/create', post({ name, after: 'status' }));
    expect(result.status).toBe(409);
    expect(logLineOf(result)).toMatchObject({ outcome: 'rolled_back' });
    expect(await countLists([name])).toBe(0);
  });

  it('rolls back and answers 500 without the message when the handler has a bug', async () => {
    const name = uniqueName('crash');
    const result = await call('/t/create', post({ name, after: 'crash' }));
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ code: 'internal_error' });
    expect(result.text).not.toContain('handler bug');
    expect(logLineOf(result)).toMatchObject({ outcome: 'rolled_back', errorName: 'TypeError' });
    expect(await countLists([name])).toBe(0);
  });

  it('answers 500 and saves nothing when the handler swallows a failed statement', async () => {
    const name = uniqueName('swallow');
    const result = await call('/t/swallow', post({ name }));
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ code: 'transaction_aborted' });
    expect(await countLists([name])).toBe(0);
  });

  it("refuses drizzle's transaction() inside the request transaction", async () => {
    const result = await call('/t/nested', post({}));
    expect(result.status).toBe(500);
    expect(logLineOf(result).error).toContain('already the request transaction');
  });

  it('commits and closes when the runtime gives no ExecutionContext', async () => {
    const name = uniqueName('no-ctx');
    const app = createApp({ extraRoutes: routes, log: () => {} });
    const res = await app.fetch(new Request('http://localhost/t/create', post({ name })), env);
    expect(res.status).toBe(201);
    expect(await countLists([name])).toBe(1);
  });

  it('opens no connection for a route that never touches the database', async () => {
    await endpoint.resetCounters();
    const result = await call('/t/no-db', { env });
    expect(result.status).toBe(200);
    expect(await endpoint.counters()).toMatchObject({ wsTotal: 0, httpRequests: 0, roundTrips: 0 });
    expect(logLineOf(result)).toMatchObject({ outcome: 'none', attempts: 0 });
  });

  it('opens no connection when the handler asks for tx() but sends no statement', async () => {
    await endpoint.resetCounters();
    const result = await call('/t/tx-unused', post({}));
    expect(result.status).toBe(200);
    expect(await endpoint.counters()).toMatchObject({ wsTotal: 0, roundTrips: 0 });
  });

  it('runs GET transactions READ ONLY with the configured timeout and application_name', async () => {
    const result = await call('/t/settings', { env });
    expect(result.body).toEqual({
      ro: 'on',
      iso: 'read committed',
      st: '5s',
      app: 'core-transaction-test',
    });
    expect(logLineOf(result)).toMatchObject({ outcome: 'read_only' });
  });

  it('runs writes READ WRITE, at the isolation level tx() asks for', async () => {
    const result = await call('/t/settings', post({}));
    expect(result.body).toEqual({ ro: 'off', iso: 'serializable' });
  });

  it('honours DB_ISOLATION_LEVEL and DB_STATEMENT_TIMEOUT_MS', async () => {
    const tuned = endpoint.env({
      DB_ISOLATION_LEVEL: 'repeatable read',
      DB_STATEMENT_TIMEOUT_MS: '1500',
    });
    const result = await call('/t/settings', { env: tuned });
    expect(result.body).toMatchObject({ iso: 'repeatable read', st: '1500ms' });
  });
});

describe('round trips (counted by the local endpoint)', () => {
  it('costs k + 2 for a write transaction of k statements, connect included', async () => {
    for (const k of [1, 3]) {
      const names = Array.from({ length: k }, () => uniqueName('rt'));
      await endpoint.resetCounters();
      const result = await call('/t/create-many', post({ names }));
      expect(result.status).toBe(201);
      await endpoint.waitForIdle();
      expect((await endpoint.counters()).roundTrips).toBe(k + 2);
      expect(await countLists(names)).toBe(k);
    }
  });

  it('costs k + 2 for a GET transaction of k statements (Terminate instead of COMMIT)', async () => {
    for (const k of [1, 2]) {
      await endpoint.resetCounters();
      const names = Array.from({ length: k }, () => uniqueName('nobody')).join(',');
      const result = await call(`/t/read-tx?names=${names}`, { env });
      expect(result.body).toEqual({ reads: k });
      await endpoint.waitForIdle();
      expect((await endpoint.counters()).roundTrips).toBe(k + 2);
    }
  });

  it('costs one for a read through the HTTP driver', async () => {
    await endpoint.resetCounters();
    const result = await call('/t/read?name=nobody', { env });
    expect(result.body).toEqual({ rows: 0 });
    expect(await endpoint.counters()).toMatchObject({ roundTrips: 1, httpRequests: 1, wsTotal: 0 });
  });
});

describe('Server-Timing and X-Request-Id', () => {
  it('reports connect, query and attempts, and echoes a sane caller id', async () => {
    const name = uniqueName('timing');
    const init = post({ name });
    const result = await call('/t/create', {
      ...init,
      headers: { ...init.headers, 'X-Request-Id': 'caller-id_123' },
    });
    const timing = result.res.headers.get('Server-Timing') ?? '';
    expect(timing).toMatch(/db-connect;dur=\d+/);
    expect(timing).toMatch(/db-query;dur=\d+/);
    expect(timing).toContain('db-attempts;desc="1"');
    expect(result.res.headers.get('X-Request-Id')).toBe('caller-id_123');
    expect(logLineOf(result)).toMatchObject({ requestId: 'caller-id_123' });
  });

  it('replaces an unsafe caller id with its own', async () => {
    const result = await call('/t/no-db', { env, headers: { 'X-Request-Id': 'bad id<script>' } });
    const id = result.res.headers.get('X-Request-Id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logLineOf(result).requestId).toBe(id);
  });
});
