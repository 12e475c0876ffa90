import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { buildApp, envWith, logLineOf } from './core-harness';
import { AUTH, call, db, expectProblem, uniqueName } from './todo-api-helpers';

// What a page on evil.example sends once its name is rebound to 127.0.0.1 (same origin, no CORS).
const REBOUND_HOST = { Host: 'evil.example:8787' };
const NEON_URL = 'postgresql://app:secret@ep-quiet-cell-123456-pooler.us-east-2.aws.neon.tech/app';

describe('the Worker against the local stack', () => {
  it('refuses a rebound Host with 403 problem+json and writes nothing', async () => {
    const name = uniqueName('rebound');
    const reply = await call('POST', '/lists', { body: { name }, headers: REBOUND_HOST });
    expectProblem(reply, 403, 'forbidden_origin');
    expect(reply.body).toMatchObject({
      status: 403,
      title: 'Forbidden',
      detail: expect.any(String),
    });
    expect(reply.headers.get('X-Request-Id')).toBeTruthy();
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
  });

  it('refuses a read for a rebound Host too', async () => {
    expectProblem(
      await call('GET', '/todos?limit=1', { headers: REBOUND_HOST }),
      403,
      'forbidden_origin',
    );
  });

  it('refuses a URL whose host is not a loopback name', async () => {
    const res = await exports.default.fetch('http://evil.example:8787/health');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('forbidden_origin');
  });

  it('refuses a foreign Origin with 403 and writes nothing', async () => {
    const name = uniqueName('foreign');
    const headers = { ...AUTH, Origin: 'https://evil.example' };
    const reply = await call('POST', '/lists', { body: { name }, headers });
    expectProblem(reply, 403, 'forbidden_origin');
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
    expectProblem(
      await call('GET', '/todos?limit=1', { headers: { Origin: 'https://evil.example' } }),
      403,
      'forbidden_origin',
    );
  });

  it('refuses the opaque Origin "null" of a sandboxed page or a file', async () => {
    expectProblem(
      await call('GET', '/health', { headers: { Origin: 'null' } }),
      403,
      'forbidden_origin',
    );
  });

  it('answers a page served from a loopback origin', async () => {
    const reply = await call('GET', '/todos?limit=1', {
      headers: { Origin: 'http://127.0.0.1:5173' },
    });
    expect(reply.status).toBe(200);
    const named = await call('GET', '/health', { headers: { Origin: 'http://localhost:5173' } });
    expect(named.status).toBe(200);
  });

  it('answers a page from an origin listed in CORS_ORIGINS', async () => {
    const reply = await call('GET', '/todos?limit=1', {
      vars: { CORS_ORIGINS: 'https://app.example' },
      headers: { Origin: 'https://app.example' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example');
  });

  it('refuses a foreign Origin when CORS_ORIGINS is "*": "*" lists no page', async () => {
    const name = uniqueName('star');
    const reply = await call('POST', '/lists', {
      body: { name },
      vars: { CORS_ORIGINS: '*' },
      headers: { ...AUTH, Origin: 'https://evil.example' },
    });
    expectProblem(reply, 403, 'forbidden_origin');
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
  });

  it('accepts loopback names with any port, and IPv6', async () => {
    for (const host of ['127.0.0.1:8787', 'localhost', '127.1.2.3:9', '[::1]:8787']) {
      const reply = await call('GET', '/health', { headers: { Host: host } });
      expect(reply.status, host).toBe(200);
    }
  });

  it('logs the refusal with its request id', async () => {
    const { call: callApp } = buildApp();
    const result = await callApp('/health', { headers: REBOUND_HOST });
    expect(result.status).toBe(403);
    expect(logLineOf(result)).toMatchObject({ status: 403, code: 'forbidden_origin' });
    expect(logLineOf(result).requestId).toBe(result.res.headers.get('X-Request-Id'));
  });

  it('stays on when another var is broken but DATABASE_URL is local', async () => {
    const { call: callApp } = buildApp();
    const env = envWith({ READS_REQUIRE_AUTH: 'maybe' });
    const result = await callApp('/health', { env, headers: REBOUND_HOST });
    expect(result.status).toBe(403);
  });
});

describe('the Worker against a remote database', () => {
  it('does not guard: /health answers any Host and Origin', async () => {
    const { call: callApp } = buildApp();
    const env = envWith({ DATABASE_URL: NEON_URL });
    const result = await callApp('/health', {
      env,
      headers: { ...REBOUND_HOST, Origin: 'https://evil.example' },
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ok' });
  });

  it('does not guard without a DATABASE_URL: /health stays 200 and no route reaches a database', async () => {
    const { call: callApp } = buildApp();
    const result = await callApp('/health', {
      env: envWith({ DATABASE_URL: undefined }),
      headers: REBOUND_HOST,
    });
    expect(result.status).toBe(200);
  });
});
