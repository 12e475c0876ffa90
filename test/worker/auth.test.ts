import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/index';
import { call, createList, createTodo, db, expectProblem, uniqueName } from './todo-api-helpers';

describe('writes without a valid token', () => {
  it.each([
    ['no Authorization header', false as const],
    ['a wrong token', 'not-the-token'],
    ['a token with a matching prefix', 'test-token-and-more'],
    ['an empty-ish token', ' '],
  ])('answer 401 with WWW-Authenticate for %s and change nothing', async (_label, token) => {
    const list = await createList();
    const todo = await createTodo(list.id, 'untouched');
    const name = uniqueName();
    const writes = [
      await call('POST', '/lists', { body: { name }, token }),
      await call('POST', '/todos', { body: { listId: list.id, title: 'new' }, token }),
      await call('PATCH', `/todos/${todo.id}`, { body: { completed: true }, token }),
      await call('PATCH', `/lists/${list.id}`, { body: { name }, token }),
      await call('POST', '/todos/move', { body: { todoIds: [todo.id], listId: list.id }, token }),
      await call('DELETE', `/todos/${todo.id}`, { token }),
      await call('DELETE', `/lists/${list.id}`, { token }),
    ];
    for (const reply of writes) {
      expectProblem(reply, 401, 'unauthorized');
      expect(reply.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="api"/);
    }
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
    expect(await db()`select title, completed from todos where list_id = ${list.id}`).toEqual([
      { title: 'untouched', completed: false },
    ]);
  });

  it('checks the token before reading the body', async () => {
    const reply = await call('POST', '/todos', { rawBody: '{not json', token: false });
    expectProblem(reply, 401, 'unauthorized');
  });

  it('accepts the scheme in any case', async () => {
    const reply = await call('POST', '/lists', {
      body: { name: uniqueName() },
      token: false,
      headers: { Authorization: 'bearer test-token' },
    });
    expect(reply.status).toBe(201);
  });

  it('answers 500 configuration_error when API_TOKEN is not a bearer token68 string', async () => {
    const name = uniqueName();
    const vars = { API_TOKEN: 'two words' };
    const reply = await call('POST', '/lists', { body: { name }, token: 'two words', vars });
    expectProblem(reply, 500, 'configuration_error');
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
  });

  it('never echoes the token', async () => {
    const reply = await call('POST', '/lists', {
      body: { name: uniqueName() },
      token: 'sekrit-guess',
    });
    expect(JSON.stringify(reply.body)).not.toContain('sekrit-guess');
    expect(JSON.stringify(reply.body)).not.toContain('test-token');
  });
});

describe('reads', () => {
  it('are public by default', async () => {
    const list = await createList();
    expect((await call('GET', `/lists/${list.id}`, { token: false })).status).toBe(200);
    expect((await call('GET', '/todos?limit=1', { token: false })).status).toBe(200);
  });

  it('need the token when READS_REQUIRE_AUTH is "true"', async () => {
    const list = await createList();
    const vars = { READS_REQUIRE_AUTH: 'true' };
    const anonymous = await call('GET', `/lists/${list.id}`, { token: false, vars });
    expectProblem(anonymous, 401, 'unauthorized');
    const authorized = await call('GET', `/lists/${list.id}`, { vars });
    expect(authorized.status).toBe(200);
  });

  it('answer 500 configuration_error, naming the var in the log only, for a bad READS_REQUIRE_AUTH', async () => {
    const lines: string[] = [];
    const app = createApp({ log: (line) => lines.push(line) });
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('http://localhost/todos'),
      { ...env, READS_REQUIRE_AUTH: 'maybe' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { code: string }).code).toBe('configuration_error');
    expect(lines.join('\n')).toContain('READS_REQUIRE_AUTH');
  });
});

describe('a Worker without API_TOKEN', () => {
  it('refuses writes with a configuration_error and writes nothing', async () => {
    const name = uniqueName();
    const reply = await call('POST', '/lists', { body: { name }, vars: { API_TOKEN: '' } });
    expectProblem(reply, 500, 'configuration_error');
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
  });
});

describe('hardening', () => {
  it('answers 413 for a body over the limit and writes nothing', async () => {
    const list = await createList();
    const title = 'x'.repeat(70 * 1024);
    const reply = await call('POST', '/todos', { body: { listId: list.id, title } });
    expectProblem(reply, 413, 'payload_too_large');
    expect(await db()`select id from todos where list_id = ${list.id}`).toHaveLength(0);
  });

  it('answers 413 for a streamed body over the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await exports.default.fetch('http://localhost/lists', {
      method: 'POST',
      headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' },
      body,
      // @ts-expect-error: streaming request bodies need duplex outside workerd's types.
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('sets secure headers on API responses', async () => {
    const reply = await call('GET', '/todos?limit=1');
    expect(reply.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(reply.headers.get('Strict-Transport-Security')).toContain('max-age=');
    expect(reply.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(reply.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });

  it('sends no CORS headers when CORS_ORIGINS is empty', async () => {
    const reply = await call('GET', '/todos?limit=1', {
      headers: { Origin: 'https://app.example' },
    });
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('allows only the configured origins', async () => {
    const vars = { CORS_ORIGINS: 'https://app.example, https://admin.example' };
    const allowed = await call('OPTIONS', '/todos', {
      token: false,
      vars,
      headers: {
        Origin: 'https://admin.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://admin.example');
    expect(allowed.headers.get('Access-Control-Allow-Headers')).toContain('Idempotency-Key');
    expect(allowed.headers.get('Access-Control-Allow-Methods')).toContain('PATCH');
    const other = await call('GET', '/todos?limit=1', {
      vars,
      headers: { Origin: 'https://evil.example' },
    });
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('exposes CORS headers on errors too', async () => {
    const vars = { CORS_ORIGINS: '*' };
    const reply = await call('POST', '/lists', {
      body: {},
      vars,
      // A loopback page: against the local stack, "*" admits no foreign one (local-only.test.ts).
      headers: { Origin: 'http://localhost:5173' },
    });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});
