import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../../src/app-env';
import { lists, todos } from '../../src/db/schema';
import { ApiError } from '../../src/errors';
import { buildApp, envWith, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

const routes = new Hono<AppEnv>();
routes.post('/e/bad-uuid', async (c) => {
  const db = await c.var.tx();
  await db.execute(sql`select * from lists where id = ${'not-a-uuid'}`);
  return c.json({});
});
routes.post('/e/duplicate', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  await db.insert(lists).values({ name });
  return c.json({});
});
routes.post('/e/missing-list', async (c) => {
  const db = await c.var.tx();
  await db.insert(todos).values({ listId: crypto.randomUUID(), title: 'orphan' });
  return c.json({});
});
routes.post('/e/empty-name', async (c) => {
  const db = await c.var.tx();
  await db.insert(lists).values({ name: '' });
  return c.json({});
});
routes.post('/e/slow', async (c) => {
  const db = await c.var.tx();
  await db.execute(sql`select pg_sleep(5)`);
  return c.json({});
});
routes.post('/e/no-table', async (c) => {
  const db = await c.var.tx();
  await db.execute(sql`select * from no_such_table`);
  return c.json({});
});
routes.post('/e/unmapped', async (c) => {
  const { value } = await c.req.json<{ value: string }>();
  const db = await c.var.tx();
  await db.execute(sql`select no_such_function(${value})`);
  return c.json({});
});
routes.post('/e/http-duplicate', async (c) => {
  // A write over HTTP belongs in a POST: http() in a GET must only read (it is retried).
  const name = c.req.query('name') ?? '';
  await c.var.http().insert(lists).values({ name });
  return c.json({});
});
routes.post('/e/zod', (c) => {
  z.object({ title: z.string().min(1) }).parse({ title: '' });
  return c.json({});
});
routes.post('/e/http-exception', () => {
  throw new HTTPException(401, {
    message: 'Token missing.',
    res: new Response(null, { headers: { 'WWW-Authenticate': 'Bearer' } }),
  });
});
routes.post('/e/app-error', () => {
  throw new ApiError(422, 'probe_invalid', 'The probe is invalid.', {
    details: [{ path: 'title', message: 'too short' }],
    headers: { 'X-Probe': 'yes' },
  });
});

const endpoint = useSiblingEndpoint();
let env: Env;
const { call, postJson } = buildApp(routes);

beforeAll(() => {
  env = envWith({ DATABASE_URL: endpoint.databaseUrl });
});

const post = (path: string, body: unknown = {}, overrideEnv = env) =>
  postJson(path, body, overrideEnv);

function expectProblem(result: Awaited<ReturnType<typeof post>>, status: number, code: string) {
  expect(result.status).toBe(status);
  expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
  expect(result.body).toMatchObject({ type: 'about:blank', status, code });
  expect(result.body.requestId).toBe(result.res.headers.get('X-Request-Id'));
  expect(typeof result.body.title).toBe('string');
  expect(typeof result.body.detail).toBe('string');
  expect(logLineOf(result)).toMatchObject({ status, code });
}

describe('one error path', () => {
  it('maps 22P02 (bad text representation) to 400 invalid_input', async () => {
    expectProblem(await post('/e/bad-uuid'), 400, 'invalid_input');
  });

  it('maps 23505 to 409 unique_violation without echoing the value', async () => {
    const name = uniqueName('secret-param');
    const result = await post('/e/duplicate', { name });
    expectProblem(result, 409, 'unique_violation');
    expect(result.body.detail).toContain('lists_name_unique');
    expect(result.text).not.toContain(name);
    expect(result.logs.join('\n')).not.toContain(name);
    expect(logLineOf(result)).toMatchObject({ sqlState: '23505', outcome: 'rolled_back' });
  });

  it('maps 23503 to 409 foreign_key_violation', async () => {
    expectProblem(await post('/e/missing-list'), 409, 'foreign_key_violation');
  });

  it('maps 23514 to 422 check_violation', async () => {
    expectProblem(await post('/e/empty-name'), 422, 'check_violation');
  });

  it('maps 57014 (statement timeout) to 504 statement_timeout', async () => {
    const fast = envWith({ DATABASE_URL: endpoint.databaseUrl, DB_STATEMENT_TIMEOUT_MS: '100' });
    expectProblem(await post('/e/slow', {}, fast), 504, 'statement_timeout');
  });

  it('maps any other database error to 500 internal_error with its SQLSTATE in the log only', async () => {
    const result = await post('/e/no-table');
    expectProblem(result, 500, 'internal_error');
    expect(result.text).not.toContain('no_such_table');
    expect(logLineOf(result)).toMatchObject({ sqlState: '42P01' });
    expect(logLineOf(result).error).toBeUndefined();
  });

  it('reads no meaning into a parameter that looks like a connection error', async () => {
    for (const word of ['quota', 'timed out', 'connection refused']) {
      const result = await post('/e/unmapped', { value: `${word} ${uniqueName('v')}` });
      expectProblem(result, 500, 'internal_error');
      expect(logLineOf(result)).toMatchObject({ sqlState: '42883', runs: 1 });
    }
  });

  it('maps errors of the HTTP driver the same way', async () => {
    const name = uniqueName('http-dup');
    const path = `/e/http-duplicate?name=${name}`;
    expect((await call(path, { method: 'POST', env })).status).toBe(200);
    const result = await call(path, { method: 'POST', env });
    expectProblem(result, 409, 'unique_violation');
    expect(result.logs.join('\n')).not.toContain(name);
  });

  it('maps a thrown ZodError to 400 validation_failed with the failing paths', async () => {
    const result = await post('/e/zod');
    expectProblem(result, 400, 'validation_failed');
    expect(result.body.errors).toEqual([{ path: 'title', message: expect.any(String) }]);
  });

  it("keeps an HTTPException's status and headers", async () => {
    const result = await post('/e/http-exception');
    expectProblem(result, 401, 'unauthorized');
    expect(result.res.headers.get('WWW-Authenticate')).toBe('Bearer');
  });

  it("renders an ApiError's code, details and headers", async () => {
    const result = await post('/e/app-error');
    expectProblem(result, 422, 'probe_invalid');
    expect(result.body.errors).toEqual([{ path: 'title', message: 'too short' }]);
    expect(result.res.headers.get('X-Probe')).toBe('yes');
  });

  it('answers unknown routes with 404 not_found', async () => {
    const result = await call('/e/nowhere', { env });
    expectProblem(result, 404, 'not_found');
  });
});

describe('secrets', () => {
  const password = `Pw-${crypto.randomUUID()}`;
  const wrongPasswordEnv = () => {
    const url = new URL(endpoint.databaseUrl);
    url.password = password;
    return envWith({ DATABASE_URL: url.toString() });
  };

  it('never puts the password in a response or a log line, whatever fails', async () => {
    const printed: string[] = [];
    const capture = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    };
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(capture),
    );
    try {
      const bad = wrongPasswordEnv();
      const results = [
        await post('/e/duplicate', { name: uniqueName('pw') }, bad),
        await call(`/e/http-duplicate?name=${uniqueName('pw')}`, { method: 'POST', env: bad }),
        await call('/health/db', { env: bad }),
      ];
      for (const result of results) {
        expect(result.status).toBe(503);
        expect(result.body).toMatchObject({ code: 'database_unavailable' });
        expect(logLineOf(result)).toMatchObject({ sqlState: '28P01' });
        expect(result.text).not.toContain(password);
        expect(result.logs.join('\n')).not.toContain(password);
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(printed.join('\n')).not.toContain(password);
  });
});
