import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import {
  buildApp,
  checkDb,
  envWith,
  logLineOf,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

const routes = new Hono<AppEnv>();
// A deferred unique constraint fails at COMMIT (23505), after the handler set its success headers.
routes.post('/h/commit-fails', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  await db.execute(sql`create temp table pair (x int unique deferrable initially deferred)`);
  await db.execute(sql`insert into pair values (1), (1)`);
  c.header('Location', `/lists/${name}`);
  c.header('Idempotent-Replayed', 'true');
  c.header('ETag', '"v1"');
  return c.json({ name }, 201);
});

const endpoint = useSiblingEndpoint();
const { postJson } = buildApp(routes);

describe('an error after the handler answered', () => {
  it('drops the success headers when COMMIT fails, and keeps the request id', async () => {
    const name = uniqueName('commit-fails');
    const result = await postJson(
      '/h/commit-fails',
      { name },
      envWith({ DATABASE_URL: endpoint.databaseUrl }),
    );
    expect(result.status).toBe(409);
    expect(result.body).toMatchObject({ code: 'unique_violation' });
    expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
    for (const header of ['Location', 'Idempotent-Replayed', 'ETag']) {
      expect(result.res.headers.get(header)).toBeNull();
    }
    expect(result.res.headers.get('X-Request-Id')).toBe(result.body.requestId);
    expect(result.res.headers.get('Server-Timing')).toContain('db-attempts');
    expect(logLineOf(result)).toMatchObject({ status: 409, sqlState: '23505' });
    const rows = await checkDb().query('select 1 from lists where name = $1', [name]);
    expect(rows).toHaveLength(0);
  });
});
