import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, expectProblem, MISSING_ID } from './todo-api-helpers';

describe('a known path with a method it does not answer', () => {
  it.each([
    ['PUT', '/lists', 'GET, HEAD, POST'],
    ['DELETE', '/todos', 'GET, HEAD, POST'],
    ['PUT', `/lists/${MISSING_ID}`, 'GET, HEAD, PATCH, DELETE'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
    ['DELETE', '/health', 'GET, HEAD'],
    ['POST', '/health/db', 'GET, HEAD'],
    ['PROPFIND', '/openapi.json', 'GET, HEAD'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const reply = await call(method, path);
    expectProblem(reply, 405, 'method_not_allowed');
    expect(reply.headers.get('Allow')).toBe(allow);
    expect(reply.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(reply.body.detail).toContain(method);
  });

  it('keeps 404 for a path nothing answers', async () => {
    const reply = await call('PUT', '/nothing-here');
    expectProblem(reply, 404, 'not_found');
    expect(reply.headers.get('Allow')).toBeNull();
  });

  it('keeps HEAD working where GET exists', async () => {
    const res = await exports.default.fetch(
      new Request('http://localhost/health', { method: 'HEAD' }),
    );
    expect(res.status).toBe(200);
  });

  it('answers 405 before asking for a token or a JSON body', async () => {
    const reply = await call('PUT', '/lists', {
      token: false,
      contentType: 'text/plain',
      rawBody: 'x',
    });
    expectProblem(reply, 405, 'method_not_allowed');
  });

  it('keeps answering a CORS preflight for an allowed origin', async () => {
    const reply = await call('OPTIONS', '/lists', {
      token: false,
      vars: { CORS_ORIGINS: 'https://app.test' },
      headers: {
        Origin: 'https://app.test',
        'Access-Control-Request-Method': 'POST',
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers.get('Access-Control-Allow-Origin')).toBe('https://app.test');
  });
});
