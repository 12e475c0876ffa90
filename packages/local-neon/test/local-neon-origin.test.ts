import { request as httpRequest } from 'node:http';
import { neon } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NeonEndpoint } from '../src/index.ts';
import { isLoopbackOrigin } from '../src/request-guard.ts';
import { type FileEndpointFixture, startFileEndpoint } from './endpoint-fixture.ts';

const APP = `local-neon-origin-${process.pid}`;
const EVIL = 'https://evil.example';
let fixture: FileEndpointFixture;
let endpoint: NeonEndpoint;

beforeAll(async () => {
  fixture = await startFileEndpoint(APP);
  ({ endpoint } = fixture);
});

afterAll(() => fixture.close());

type RawAnswer = { status: number; headers: Record<string, unknown>; body: string };

/** One raw HTTP/1.1 request with exactly the given headers (fetch would forbid Origin and Host). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: endpoint.port, method, path, headers, setHost: !headers.Host },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    // A 101 would arrive as 'upgrade': report it as such rather than hang.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const UPGRADE_HEADERS = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

describe('a WebSocket upgrade from a web page', () => {
  it('is refused with a plain 403 before any 101', async () => {
    endpoint.resetCounters();
    const res = await rawRequest('GET', '/v2', { ...UPGRADE_HEADERS, Origin: EVIL });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).message).toMatch(/not web pages: Origin "https:\/\/evil.example"/);
    expect(endpoint.counters().wsTotal).toBe(0);
  });

  it('is refused on any path, and from a rebound DNS name without Origin', async () => {
    const other = await rawRequest('GET', '/anything', { ...UPGRADE_HEADERS, Origin: EVIL });
    expect(other.status).toBe(403);
    const rebound = await rawRequest('GET', '/v2', {
      ...UPGRADE_HEADERS,
      Host: 'evil.example:4444',
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).message).toMatch(/Host "evil.example:4444" is not a loopback/);
  });

  it('still opens from the driver (no Origin) and from a loopback page', async () => {
    const res = await rawRequest('GET', '/v2', UPGRADE_HEADERS);
    expect(res.status).toBe(101);
    const ws = new WebSocket(`ws://127.0.0.1:${endpoint.port}/v2`, {
      origin: 'http://localhost:5173',
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.close();
  });
});

describe('POST /_local/faults from a web page', () => {
  const FAULT = '{"suspend":{"failCount":"forever"}}';

  it('is refused with 403 and sets no fault', async () => {
    const res = await rawRequest(
      'POST',
      '/_local/faults',
      { Origin: EVIL, 'Content-Type': 'text/plain' },
      FAULT,
    );
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await neon(fixture.url)`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });

  it('is refused with 415 for a text/plain body even without Origin', async () => {
    const res = await rawRequest('POST', '/_local/faults', { 'Content-Type': 'text/plain' }, FAULT);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).message).toContain('application/json');
    expect(await neon(fixture.url)`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });

  it('refuses a body with no Content-Type, and accepts a body-less POST', async () => {
    expect((await rawRequest('POST', '/_local/faults', {}, FAULT)).status).toBe(415);
    expect((await rawRequest('POST', '/_local/counters/reset', {})).status).toBe(200);
  });
});

describe('every other route from a web page', () => {
  it.each([
    ['GET', '/_local/counters'],
    ['POST', '/_local/endpoints'],
    ['POST', '/sql'],
  ])('%s %s answers 403 with no CORS header', async (method, path) => {
    const res = await rawRequest(method, path, { Origin: EVIL });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    ['GET', '/_local/counters'],
    ['POST', '/sql'],
  ])('%s %s answers 403 to a rebound DNS name without Origin', async (method, path) => {
    const res = await rawRequest(method, path, { Host: `evil.example:${endpoint.port}` });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers the driver with no CORS header either', async () => {
    const res = await fetch(`${endpoint.url}/_local/counters`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('POST /_local/endpoints', () => {
  it('opens at most 32 siblings at once, and a closed one frees its slot', async () => {
    const control = `${endpoint.url}/_local`;
    const ports: number[] = [];
    try {
      for (let i = 0; i < 32; i++) {
        const res = await fetch(`${control}/endpoints`, { method: 'POST' });
        expect(res.status).toBe(201);
        ports.push(((await res.json()) as { port: number }).port);
      }
      const refused = await fetch(`${control}/endpoints`, { method: 'POST' });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toMatch(/at most 32/);

      const [first] = ports.splice(0, 1);
      await fetch(`${control}/endpoints/${first}`, { method: 'DELETE' });
      const again = await fetch(`${control}/endpoints`, { method: 'POST' });
      expect(again.status).toBe(201);
      const sibling = (await again.json()) as { port: number; controlUrl: string };
      ports.push(sibling.port);

      const nested = await fetch(`${sibling.controlUrl}/endpoints`, { method: 'POST' });
      expect(nested.status).toBe(429);
    } finally {
      for (const port of ports) await fetch(`${control}/endpoints/${port}`, { method: 'DELETE' });
    }
  });
});

describe('isLoopbackOrigin', () => {
  it.each([
    ['http://127.0.0.1:8787', true],
    ['https://localhost', true],
    ['http://[::1]:3000', true],
    ['https://evil.example', false],
    ['http://127.0.0.1.evil.example', false],
    ['null', false],
    ['file://', false],
    ['ws://127.0.0.1', false],
  ])('%s -> %s', (origin, expected) => {
    expect(isLoopbackOrigin(origin)).toBe(expected);
  });
});
