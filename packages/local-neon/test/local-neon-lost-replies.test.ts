import { randomUUID } from 'node:crypto';
import { type Client, neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../src/index.ts';
import { createLocalClient } from '../src/node-driver.ts';
import {
  countBackends,
  countRunning,
  type FileEndpointFixture,
  startFileEndpoint,
} from './endpoint-fixture.ts';

const APP = `local-neon-lost-replies-${process.pid}`;
const TABLE = `local_neon_lost_${randomUUID().slice(0, 8)}`;
let fixture: FileEndpointFixture;
let endpoint: NeonEndpoint;
let url: string;
let direct: pg.Client;

beforeAll(async () => {
  fixture = await startFileEndpoint(APP);
  ({ endpoint, url, direct } = fixture);
  await direct.query(`CREATE TABLE ${TABLE} (name text NOT NULL)`);
});

afterEach(async () => {
  endpoint.clearFaults();
  await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
  await expect.poll(() => endpoint.counters().httpInFlight).toBe(0);
});

afterAll(async () => {
  await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await fixture.close();
});

async function copiesOf(name: string): Promise<number> {
  const { rows } = await direct.query(`SELECT count(*)::int AS n FROM ${TABLE} WHERE name = $1`, [
    name,
  ]);
  return rows[0].n;
}

async function busyBackends(): Promise<number> {
  const { rows } = await direct.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'",
    [APP],
  );
  return rows[0].n;
}

async function openClient(): Promise<Client> {
  const client = createLocalClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('loseReplies.http', () => {
  it('destroys the answer of a committed batch: a network error, and the row is there', async () => {
    const sql = neon(url);
    const name = `batch-${randomUUID()}`;
    endpoint.setFaults({ loseReplies: { http: 1 } });
    endpoint.resetCounters();
    const batch = sql.transaction([
      sql.query(`INSERT INTO ${TABLE} (name) VALUES ($1)`, [name]),
      sql.query(`SELECT count(*)::int AS n FROM ${TABLE} WHERE name = $1`, [name]),
    ]);
    // No HTTP status and no SQLSTATE: the driver only knows the connection failed.
    const error = await batch.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      name: 'NeonDbError',
      message: expect.stringMatching(/^Error connecting to database: /),
    });
    expect((error as { code?: unknown }).code ?? undefined).toBeUndefined();
    expect(await copiesOf(name)).toBe(1);
    expect(endpoint.counters()).toMatchObject({ lostReplies: 1, httpRequests: 1 });
  });

  it('loses a single committed statement too, then counts down to normal answers', async () => {
    const sql = neon(url);
    const names = [`one-${randomUUID()}`, `two-${randomUUID()}`, `three-${randomUUID()}`];
    endpoint.setFaults({ loseReplies: { http: 2 } });
    endpoint.resetCounters();
    const insert = (name: string) => sql.query(`INSERT INTO ${TABLE} (name) VALUES ($1)`, [name]);
    await expect(insert(names[0] as string)).rejects.toThrow(/^Error connecting to database/);
    await expect(insert(names[1] as string)).rejects.toThrow(/^Error connecting to database/);
    await expect(insert(names[2] as string)).resolves.toEqual([]);
    for (const name of names) expect(await copiesOf(name)).toBe(1);
    expect(endpoint.counters().lostReplies).toBe(2);
  });

  it('keeps the answer of a failed statement: nothing committed, nothing lost', async () => {
    endpoint.setFaults({ loseReplies: { http: 1 } });
    endpoint.resetCounters();
    await expect(neon(url).query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    expect(endpoint.counters().lostReplies).toBe(0);
    await expect(neon(url).query('SELECT 1 AS n')).rejects.toThrow(/^Error connecting/);
    expect(endpoint.counters().lostReplies).toBe(1);
  });
});

describe('loseReplies.ws', () => {
  it('withholds the COMMIT reply and closes the socket after PostgreSQL committed', async () => {
    const name = `ws-${randomUUID()}`;
    const client = await openClient();
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${TABLE} (name) VALUES ($1)`, [name]);
    const { rows } = await client.query('SELECT pg_current_xact_id()::text AS xid');
    endpoint.setFaults({ loseReplies: { ws: 1 } });
    endpoint.resetCounters();
    await expect(client.query('COMMIT')).rejects.toThrow(/Connection terminated/);
    const status = await direct.query('SELECT pg_xact_status($1::xid8) AS status', [rows[0].xid]);
    expect(status.rows).toEqual([{ status: 'committed' }]);
    expect(await copiesOf(name)).toBe(1);
    expect(endpoint.counters().lostReplies).toBe(1);
  });

  it('relays a rolled-back transaction, and counts down', async () => {
    endpoint.setFaults({ loseReplies: { ws: 1 } });
    const first = await openClient();
    await first.query('BEGIN');
    await first.query('SELECT 1');
    expect((await first.query('ROLLBACK')).command).toBe('ROLLBACK');
    // A failed transaction's COMMIT is answered ROLLBACK: no commit, so its reply arrives.
    await first.query('BEGIN');
    await first.query('SELECT 1/0').catch(() => {});
    expect((await first.query('COMMIT')).command).toBe('ROLLBACK');
    await expect(first.query('BEGIN; SELECT 1; COMMIT')).rejects.toThrow(/Connection terminated/);

    const second = await openClient();
    await second.query('BEGIN');
    expect((await second.query('COMMIT')).command).toBe('COMMIT');
    await second.end();
  });
});

describe('terminateAll() and HTTP', () => {
  it('terminates the backend of an HTTP request in flight: 57P01, no backend left', async () => {
    const slow = neon(url)`SELECT pg_sleep(2) AS slept`.then(
      () => undefined,
      (error: unknown) => error,
    );
    await expect.poll(() => countRunning(direct, APP, 'pg_sleep(2)')).toBe(1);
    expect(await endpoint.terminateAll()).toBe(1);
    // Neon answers a PostgreSQL error with 400 and its fields; the driver makes it a NeonDbError.
    expect(await slow).toMatchObject({ code: '57P01', severity: 'FATAL' });
    // Idle pooled HTTP connections stay, as Neon's pool keeps them; no backend is left busy.
    await expect.poll(() => busyBackends()).toBe(0);
    expect(await neon(url)`SELECT 1 AS n`).toEqual([{ n: 1 }]);
  });
});

describe('NeonEndpoint.close()', () => {
  it('leaves no connection of this file open in PostgreSQL', async () => {
    await endpoint.close();
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
