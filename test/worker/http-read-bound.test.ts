import type { Client } from '@neondatabase/serverless';
import { eq } from 'drizzle-orm';
import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { endClient } from '../../src/db/ws-client';
import {
  buildApp,
  busyBackends,
  envWith,
  harnessSession,
  logLineOf,
  useSiblingEndpoint,
} from './core-harness';

// A table of this file's own, so locking it stalls no other test file running beside this one.
const PROBE_TABLE = `read_bound_probe_${crypto.randomUUID().replaceAll('-', '')}`;
const probe = pgTable(PROBE_TABLE, { id: uuid('id').primaryKey() });
const STATEMENT_TIMEOUT_MS = 300;

const routes = new Hono<AppEnv>();
routes.get('/b/probe/:id', async (c) => {
  const rows = await c.var
    .http()
    .select()
    .from(probe)
    .where(eq(probe.id, c.req.param('id')));
  return c.json({ rows: rows.length });
});
routes.get('/b/batch', async (c) => {
  const db = c.var.http();
  const [first, second] = await db.batch([db.select().from(probe), db.select().from(probe)]);
  return c.json({ rows: first.length + second.length });
});

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
const { call } = buildApp(routes);
// A name of this file's own, so pg_stat_activity shows only this file's app sessions.
const appName = `read-bound-${crypto.randomUUID().slice(0, 8)}`;
const env = () =>
  envWith({
    DATABASE_URL: endpoint.databaseUrl,
    APP_NAME: appName,
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });

let admin: Client;

beforeAll(async () => {
  admin = await harnessSession();
  await admin.query(`CREATE TABLE ${PROBE_TABLE} (id uuid PRIMARY KEY)`);
  // The app's role may not be the owner: it needs to read the table, nothing more.
  await admin.query(`GRANT SELECT ON ${PROBE_TABLE} TO PUBLIC`);
});

afterAll(async () => {
  await admin?.query(`DROP TABLE IF EXISTS ${PROBE_TABLE}`);
  if (admin) await endClient(admin);
});

describe('a read through c.var.http() on a locked table', () => {
  it('answers 504 statement_timeout after one round trip and leaves no query running', async () => {
    const locker = await harnessSession();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${PROBE_TABLE} IN ACCESS EXCLUSIVE MODE`);
      await endpoint.resetCounters();
      const result = await call(`/b/probe/${crypto.randomUUID()}`, { env: env() });
      expect(result.status).toBe(504);
      expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
      expect(result.body).toMatchObject({ code: 'statement_timeout' });
      expect(logLineOf(result)).toMatchObject({ attempts: 1, runs: 1, sqlState: '57014' });
      expect(await endpoint.counters()).toMatchObject({ roundTrips: 1, httpRequests: 1 });
      // PostgreSQL cancelled the query itself: nothing of the app is left waiting on the lock.
      expect(await busyBackends(locker, appName)).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await endClient(locker);
    }
  });

  it('bounds a batch the same way', async () => {
    const locker = await harnessSession();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${PROBE_TABLE} IN ACCESS EXCLUSIVE MODE`);
      await endpoint.resetCounters();
      const result = await call('/b/batch', { env: env() });
      expect(result.status).toBe(504);
      expect(result.body).toMatchObject({ code: 'statement_timeout' });
      expect(await endpoint.counters()).toMatchObject({ roundTrips: 1 });
      expect(await busyBackends(locker, appName)).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await endClient(locker);
    }
  });

  it('still costs one round trip and returns the rows when nothing blocks it', async () => {
    await endpoint.resetCounters();
    const one = await call(`/b/probe/${crypto.randomUUID()}`, { env: env() });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ rows: 0 });
    const both = await call('/b/batch', { env: env() });
    expect(both.status).toBe(200);
    expect(await endpoint.counters()).toMatchObject({ roundTrips: 2, httpRequests: 2 });
  });
});
