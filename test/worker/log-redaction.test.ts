import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import {
  buildApp,
  type CallResult,
  checkDb,
  envWith,
  logLineOf,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

const routes = new Hono<AppEnv>();
routes.post('/r/create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  return c.json({ name }, 201);
});
routes.post('/r/http-create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  await c.var.http().insert(lists).values({ name });
  return c.json({ name }, 201);
});
routes.post('/r/unmapped', async (c) => {
  const { value } = await c.req.json<{ value: string }>();
  const db = await c.var.tx();
  // 42883 (undefined_function) is not mapped to a kind; the parameter rides in drizzle's message.
  await db.execute(sql`select no_such_function(${value})`);
  return c.json({});
});

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
const { postJson } = buildApp(routes);

const envFor = (overrides: Record<string, string> = {}) =>
  envWith({ DATABASE_URL: endpoint.databaseUrl, DB_RETRY_BASE_DELAY_MS: '20', ...overrides });

function expectAbsent(result: CallResult, secret: string) {
  expect(result.text).not.toContain(secret);
  expect(result.logs.length).toBeGreaterThan(0);
  for (const line of result.logs) expect(line).not.toContain(secret);
  for (const [, value] of result.res.headers) expect(value).not.toContain(secret);
}

describe('the request log line', () => {
  it('carries no SQL parameter when a hung connect exhausts the retries', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 5_000 } });
    const name = uniqueName('CUSTOMER-SECRET-VALUE');
    const env = envFor({ DB_CONNECT_TIMEOUT_MS: '150', DB_RETRY_DEADLINE_MS: '400' });
    const result = await postJson('/r/create', { name }, env);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    expectAbsent(result, 'CUSTOMER-SECRET-VALUE');
    expect(logLineOf(result)).toMatchObject({ errorName: 'RetriesExhaustedError' });
    const rows = await checkDb().query('select 1 from lists where name = $1', [name]);
    expect(rows).toHaveLength(0);
  });

  it('carries no SQL parameter when an HTTP write fails to connect', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 5_000 } });
    const name = uniqueName('CUSTOMER-SECRET-VALUE');
    const env = envFor({
      DB_CONNECT_TIMEOUT_MS: '150',
      DB_RETRY_DEADLINE_MS: '400',
      DB_STATEMENT_TIMEOUT_MS: '200',
    });
    const result = await postJson('/r/http-create', { name }, env);
    expect(result.status).toBe(503);
    expectAbsent(result, 'CUSTOMER-SECRET-VALUE');
  });

  it('carries no SQL parameter for an unmapped database error', async () => {
    const value = uniqueName('CUSTOMER-SECRET-VALUE');
    const result = await postJson('/r/unmapped', { value }, envFor());
    expect(result.status).toBe(500);
    expect(logLineOf(result)).toMatchObject({ sqlState: '42883', code: 'internal_error' });
    expectAbsent(result, 'CUSTOMER-SECRET-VALUE');
  });
});
