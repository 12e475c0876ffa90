import { neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../src/index.ts';
import { createLocalClient } from '../src/node-driver.ts';
import {
  countBackends,
  endpointDatabaseUrl,
  type FileEndpointFixture,
  startEndpointOnTestPostgres,
  startFileEndpoint,
} from './endpoint-fixture.ts';

const APP = `local-neon-control-${process.pid}`;
let fixture: FileEndpointFixture;
let endpoint: NeonEndpoint;
let url: string;
let control: string;
let direct: pg.Client;

beforeAll(async () => {
  fixture = await startFileEndpoint(APP);
  ({ endpoint, url, direct } = fixture);
  control = `${endpoint.url}/_local`;
});

afterAll(() => fixture.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${control}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /_local/counters and POST /_local/counters/reset', () => {
  it('report every counter and zero the totals', async () => {
    await neon(url)`SELECT 1`;
    const before = await call('GET', '/counters');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      httpRequests: expect.any(Number),
      roundTrips: expect.any(Number),
    });
    expect(Object.keys(before.body).sort()).toEqual([
      'delayedRoundTrips',
      'frozenBackends',
      'heldArrivals',
      'httpInFlight',
      'httpQueries',
      'httpRequests',
      'lostReplies',
      'roundTrips',
      'wsOpen',
      'wsTotal',
    ]);
    expect(before.body.httpRequests).toBeGreaterThan(0);

    const reset = await call('POST', '/counters/reset');
    expect(reset).toEqual({
      status: 200,
      body: {
        wsOpen: 0,
        wsTotal: 0,
        httpInFlight: 0,
        httpRequests: 0,
        httpQueries: 0,
        roundTrips: 0,
        lostReplies: 0,
        delayedRoundTrips: 0,
        heldArrivals: 0,
        frozenBackends: 0,
      },
    });
  });
});

describe('POST /_local/faults and DELETE /_local/faults', () => {
  it.each([
    ['a negative latency', { latencyMs: -1 }],
    ['a string latency', { latencyMs: '10' }],
    ['an unknown failCount word', { suspend: { failCount: 'sometimes' } }],
    ['a fractional cap', { connectionCap: 1.5 }],
    ['a non-object suspend', { suspend: 3 }],
    ['a non-object loseReplies', { loseReplies: 1 }],
    ['a negative lost-reply count', { loseReplies: { http: -1 } }],
    ['an unknown lost-reply word', { loseReplies: { ws: 'always' } }],
    ['an array body', [1]],
    ['invalid JSON', '{latency'],
  ])('refuse %s with 400', async (_name, body) => {
    const res = await call('POST', '/faults', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('apply a fault until it is deleted', async () => {
    const sql = neon(url);
    expect(await call('POST', '/faults', { suspend: { failCount: 'forever' } })).toEqual({
      status: 200,
      body: { ok: true },
    });
    await expect(sql`SELECT 1`).rejects.toThrow(/Couldn't connect to compute node/);
    expect((await call('DELETE', '/faults')).status).toBe(200);
    expect(await sql`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });
});

describe('POST /_local/terminate', () => {
  it('ends the open session with 57P01 and reports how many it ended', async () => {
    const client = createLocalClient(url);
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await client.connect();
    await client.query('SELECT 1');

    expect(await call('POST', '/terminate')).toEqual({ status: 200, body: { terminated: 1 } });
    await expect.poll(() => errors[0]).toMatchObject({ code: '57P01' });
  });
});

describe('POST /_local/endpoints and DELETE /_local/endpoints/:port', () => {
  it('start a sibling with its own faults and counters, closed by DELETE', async () => {
    const created = await call('POST', '/endpoints');
    expect(created.status).toBe(201);
    const port = created.body.port as number;
    expect(created.body).toEqual({
      port,
      url: `http://127.0.0.1:${port}`,
      controlUrl: `http://127.0.0.1:${port}/_local`,
    });
    const sibling = neon(endpointDatabaseUrl(port, APP));
    const parent = neon(url);
    expect(await sibling`SELECT 'sibling' AS via`).toEqual([{ via: 'sibling' }]);

    endpoint.resetCounters();
    await fetch(`${created.body.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ suspend: { failCount: 'forever' } }),
    });
    await expect(sibling`SELECT 1`).rejects.toThrow(/Couldn't connect to compute node/);
    expect(await parent`SELECT 'parent' AS via`).toEqual([{ via: 'parent' }]);
    expect(endpoint.counters().httpRequests).toBe(1);

    expect(await call('DELETE', `/endpoints/${port}`)).toEqual({
      status: 200,
      body: { closed: port },
    });
    await expect(fetch(`http://127.0.0.1:${port}/_local/counters`)).rejects.toThrow();
    expect((await call('DELETE', `/endpoints/${port}`)).status).toBe(404);
  });

  it('are closed with their parent', async () => {
    const parent = await startEndpointOnTestPostgres();
    const created = await fetch(`${parent.url}/_local/endpoints`, { method: 'POST' });
    const { port } = (await created.json()) as { port: number };
    expect((await fetch(`http://127.0.0.1:${port}/_local/counters`)).status).toBe(200);
    await parent.close();
    await expect(fetch(`http://127.0.0.1:${port}/_local/counters`)).rejects.toThrow();
  });
});

describe('unknown control routes', () => {
  it('answer 404 with a message', async () => {
    const res = await call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('GET /_local/nope');
  });
});

describe('NeonEndpoint.close()', () => {
  it('leaves no connection of this file open in PostgreSQL', async () => {
    await endpoint.close();
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
