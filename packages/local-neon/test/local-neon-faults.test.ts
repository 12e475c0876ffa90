import { type Client, neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../src/index.ts';
import { createLocalClient } from '../src/node-driver.ts';
import {
  countBackends,
  countRunning,
  endpointDatabaseUrl,
  type FileEndpointFixture,
  startFileEndpoint,
} from './endpoint-fixture.ts';

const APP = `local-neon-faults-${process.pid}`;
let fixture: FileEndpointFixture;
let endpoint: NeonEndpoint;
let url: string;
let direct: pg.Client;

beforeAll(async () => {
  fixture = await startFileEndpoint(APP);
  ({ endpoint, url, direct } = fixture);
});

afterEach(async () => {
  endpoint.clearFaults();
  await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
});

afterAll(() => fixture.close());

/** A connected WebSocket client whose stray 'error' events (after a refusal) are absorbed. */
async function openClient(target = url): Promise<Client> {
  const client = createLocalClient(target);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** One WebSocket session: connect, one query, end. The driver pipelines its login, so a refused
 * session rejects the first query. */
async function querySession(sql: string): Promise<unknown[]> {
  const client = await openClient();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('latencyMs', () => {
  it('delays each HTTP request once', async () => {
    endpoint.setFaults({ latencyMs: 150 });
    endpoint.resetCounters();
    expect(await neon(url)`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(endpoint.counters()).toMatchObject({ httpRequests: 1, delayedRoundTrips: 1 });
  });

  it('delays each WebSocket handshake and client burst once', async () => {
    endpoint.setFaults({ latencyMs: 100 });
    endpoint.resetCounters();
    const client = await openClient();
    for (let i = 0; i < 3; i++) await client.query('SELECT $1::int AS i', [i]);
    // Handshake; startup + password + first query; one burst per further query; Terminate.
    await client.end();
    await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
    expect(endpoint.counters()).toMatchObject({ wsTotal: 1, roundTrips: 5, delayedRoundTrips: 5 });
  });

  it('keeps the order of the many messages of one delayed burst', async () => {
    endpoint.setFaults({ latencyMs: 50 });
    const client = createLocalClient(url);
    // One WebSocket message per protocol message: startup, password, Parse, Bind, Execute...
    client.neonConfig.coalesceWrites = false;
    await client.connect();
    const { rows } = await client.query('SELECT $1::text AS a, $2::int AS b', ['first', 2]);
    await client.end();
    expect(rows).toEqual([{ a: 'first', b: 2 }]);
  });
});

describe('suspend.waitMs', () => {
  it('holds WebSocket and HTTP arrivals while the compute sleeps, then serves them', async () => {
    // Long enough that only clearing the fault wakes it within this test.
    endpoint.setFaults({ suspend: { waitMs: 60_000 } });
    endpoint.resetCounters();
    const sql = neon(url);
    let settled = 0;
    const track = <T>(promise: Promise<T>) => promise.finally(() => (settled += 1));
    const all = Promise.all([
      track(sql`SELECT 1 AS n`),
      track(sql`SELECT 2 AS n`),
      track(querySession('SELECT 3 AS n')),
    ]);
    await expect.poll(() => endpoint.counters().heldArrivals).toBe(3);
    expect(settled).toBe(0);
    endpoint.clearFaults();
    expect(await all).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
  });

  it('wakes by itself waitMs after the first arrival', async () => {
    endpoint.setFaults({ suspend: { waitMs: 100 } });
    endpoint.resetCounters();
    expect(await neon(url)`SELECT 1 AS n`).toEqual([{ n: 1 }]);
    expect(endpoint.counters().heldArrivals).toBe(1);
    // Awake now: the next arrival is not held.
    expect(await querySession('SELECT 2 AS n')).toEqual([{ n: 2 }]);
    expect(endpoint.counters().heldArrivals).toBe(1);
  });
});

describe('suspend.failCount', () => {
  it('fails the next K attempts, WebSocket or HTTP, with "Couldn\'t connect to compute node"', async () => {
    endpoint.setFaults({ suspend: { failCount: 2 } });
    const sql = neon(url);
    await expect(sql`SELECT 1`).rejects.toThrow(
      /^Server error \(HTTP status 500\): .*Couldn't connect to compute node/,
    );
    await expect(querySession('SELECT 1')).rejects.toMatchObject({
      code: 'XX000',
      message: expect.stringContaining("Couldn't connect to compute node"),
    });
    expect(await sql`SELECT 'awake' AS state`).toEqual([{ state: 'awake' }]);
    expect(await querySession("SELECT 'awake' AS state")).toEqual([{ state: 'awake' }]);
  });

  it('with "forever" fails every attempt until the faults are cleared', async () => {
    endpoint.setFaults({ suspend: { failCount: 'forever' } });
    const sql = neon(url);
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(sql`SELECT 1`).rejects.toThrow(/Couldn't connect to compute node/);
      await expect(querySession('SELECT 1')).rejects.toMatchObject({ code: 'XX000' });
    }
    endpoint.clearFaults();
    expect(await sql`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });
});

describe('connectionCap', () => {
  it('refuses WebSocket and HTTP sessions beyond the cap with 53300', async () => {
    endpoint.setFaults({ connectionCap: 1 });
    const holder = await openClient();
    await holder.query('SELECT 1');

    await expect(querySession('SELECT 1')).rejects.toMatchObject({
      code: '53300',
      message: 'sorry, too many clients already',
    });
    await expect(neon(url)`SELECT 1`).rejects.toThrow(/HTTP status 500.*"code":"53300"/);

    await holder.end();
    await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
    expect(await querySession('SELECT 1 AS n')).toEqual([{ n: 1 }]);
  });

  it('counts an in-flight HTTP request as a session', async () => {
    endpoint.setFaults({ connectionCap: 1 });
    // The driver's query promise is lazy: then() sends it.
    const slow = neon(url)`SELECT pg_sleep(0.5) AS slept`.then((rows) => rows);
    await expect.poll(() => countRunning(direct, APP, 'pg_sleep(0.5)')).toBe(1);
    await expect(querySession('SELECT 1')).rejects.toMatchObject({ code: '53300' });
    await slow;
  });

  it('is lifted by connectionCap: null', async () => {
    endpoint.setFaults({ connectionCap: 0 });
    await expect(neon(url)`SELECT 1`).rejects.toThrow(/53300/);
    endpoint.setFaults({ connectionCap: null });
    expect(await neon(url)`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });
});

describe('freezeBackends', () => {
  it("stops a WebSocket session's backend before any statement reaches it, and resumes it", async () => {
    endpoint.setFaults({ freezeBackends: true });
    const app = `${APP}-freeze`;
    const client = await openClient(endpointDatabaseUrl(endpoint.port, app));
    try {
      // The driver pipelines its login with this query; the endpoint holds the query back.
      const pending = client.query('SELECT 41 + 1 AS answer');
      pending.catch(() => {});
      await expect.poll(() => endpoint.counters().frozenBackends).toBe(1);
      // A stopped backend cannot update its own entry: it shows what it last did, which is nothing.
      const { rows } = await direct.query(
        'SELECT state, query FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      expect(rows).toEqual([{ state: 'idle', query: '' }]);
      endpoint.clearFaults();
      expect((await pending).rows).toEqual([{ answer: 42 }]);
    } finally {
      await client.end().catch(() => {});
    }
  });
});

describe('NeonEndpoint.close()', () => {
  it('leaves no connection of this file open in PostgreSQL', async () => {
    await endpoint.close();
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
