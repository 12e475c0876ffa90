import { createServer, type Server } from 'node:net';
import type { Client } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { type NeonEndpoint, startNeonEndpoint } from '../src/index.ts';
import { createLocalClient } from '../src/node-driver.ts';
import { countBackends, type FileEndpointFixture, startFileEndpoint } from './endpoint-fixture.ts';

const APP = `local-neon-ws-${process.pid}`;
let fixture: FileEndpointFixture;
let endpoint: NeonEndpoint;
let url: string;
let direct: pg.Client;

beforeAll(async () => {
  fixture = await startFileEndpoint(APP);
  ({ endpoint, url, direct } = fixture);
});

afterAll(() => fixture.close());

/** Collects the errors a connected client emits on its own (an idle client has no query to reject). */
function watchErrors(client: Client): Error[] {
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  return errors;
}

/** A TCP server that only records whether anyone connected: the target of an open-proxy attempt. */
async function startDecoy(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((socket) => {
    hits += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, port, hits: () => hits };
}

function startupMessage(user: string, database: string): Buffer {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0${APP}\0\0`);
  const header = Buffer.alloc(8);
  header.writeInt32BE(params.length + 8, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, params]);
}

function typedMessage(type: string, text: string): Buffer {
  const body = Buffer.from(text ? `${text}\0` : '');
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** Resolves once `count` ReadyForQuery ('Z') messages have arrived (message types are at frame starts here). */
function readyForQuery(socket: WebSocket, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    socket.on('message', (data: Buffer) => {
      for (let offset = 0; offset < data.length; offset += data.readInt32BE(offset + 1) + 1) {
        if (data[offset] === 0x5a && ++seen === count) resolve();
      }
    });
  });
}

describe('WebSocket relay', () => {
  it('carries the driver to PostgreSQL and back', async () => {
    const client = createLocalClient(url);
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db, $1::text AS echo', [
      'hi',
    ]);
    await client.end();
    expect(rows).toEqual([{ db: 'main', echo: 'hi' }]);
  });

  it('keeps large messages and pipelined statements intact and in order', async () => {
    const client = createLocalClient(url);
    await client.connect();
    const big = 'x'.repeat(2_000_000);
    const results = await Promise.all([
      client.query('SELECT length($1::text) AS n', [big]),
      ...Array.from({ length: 20 }, (_, i) => client.query('SELECT $1::int AS i', [i])),
      client.query("SELECT repeat('y', 3000000) AS s"),
    ]);
    await client.end();
    expect(results[0]?.rows).toEqual([{ n: 2_000_000 }]);
    expect(results.slice(1, 21).map((r) => r.rows[0].i)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(results[21]?.rows[0].s).toHaveLength(3_000_000);
  });

  it('relays only to its upstream, whatever ?address= or the connection string name', async () => {
    const decoy = await startDecoy();
    const decoyUrl = new URL(url);
    decoyUrl.port = String(decoy.port);
    const client = createLocalClient(decoyUrl.toString());
    client.neonConfig.wsProxy = () =>
      `127.0.0.1:${endpoint.port}/v2?address=127.0.0.1:${decoy.port}`;
    await client.connect();
    const { rows } = await client.query('SELECT inet_server_port() AS port');
    await client.end();
    await new Promise((resolve) => decoy.server.close(resolve));

    expect(decoy.hits()).toBe(0);
    expect(rows[0].port).toBe(Number(new URL(inject('postgresUrl')).port));
  });
});

describe('WebSocket counters', () => {
  it('count the upgrade and each client burst as round trips', async () => {
    endpoint.resetCounters();
    const socket = new WebSocket(`ws://127.0.0.1:${endpoint.port}/v2`);
    await new Promise((resolve) => socket.once('open', resolve));
    const loggedIn = readyForQuery(socket, 1);
    // Two messages before any answer: one burst.
    socket.send(startupMessage('postgres', 'main'));
    socket.send(typedMessage('p', new URL(url).password));
    await loggedIn;
    const answered = readyForQuery(socket, 1);
    socket.send(typedMessage('Q', 'SELECT 1'));
    await answered;
    socket.send(typedMessage('X', ''));
    await new Promise((resolve) => socket.once('close', resolve));

    expect(endpoint.counters()).toMatchObject({ wsTotal: 1, roundTrips: 4 });
    await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
  });

  it('count connect, two queries and end of the driver as four round trips', async () => {
    endpoint.resetCounters();
    const client = createLocalClient(url);
    await client.connect();
    await client.query('SELECT 1');
    await client.query('SELECT 2');
    await client.end();
    // Upgrade; startup + password + first query (pipelined); second query; Terminate.
    expect(endpoint.counters()).toMatchObject({ wsTotal: 1, roundTrips: 4, httpRequests: 0 });
  });
});

describe('NeonEndpoint.terminateAll()', () => {
  it('ends open sessions with FATAL 57P01, as a compute restart does', async () => {
    const client = createLocalClient(url);
    const errors = watchErrors(client);
    await client.connect();
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');

    expect(await endpoint.terminateAll()).toBe(1);
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: '57P01' });
    const gone = await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0].pid]);
    expect(gone.rowCount).toBe(0);
  });

  it('answers 0 when nothing is open', async () => {
    await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
    expect(await endpoint.terminateAll()).toBe(0);
  });
});

describe('an unreachable upstream', () => {
  it('answers WebSocket and HTTP clients with Neon\'s "Couldn\'t connect to compute node"', async () => {
    const decoy = await startDecoy();
    await new Promise((resolve) => decoy.server.close(resolve));
    const orphan = await startNeonEndpoint({
      port: 0,
      upstream: { host: '127.0.0.1', port: decoy.port },
    });
    const orphanUrl = `postgres://postgres:postgres@127.0.0.1:${orphan.port}/main`;
    try {
      const client = createLocalClient(orphanUrl);
      watchErrors(client);
      // The driver pipelines its login, so connect() resolves and the first query gets the error.
      await client.connect();
      await expect(client.query('SELECT 1')).rejects.toMatchObject({
        code: 'XX000',
        message: expect.stringContaining("Couldn't connect to compute node"),
      });
      const res = await fetch(`${orphan.url}/sql`, {
        method: 'POST',
        headers: { 'Neon-Connection-String': orphanUrl },
        body: JSON.stringify({ query: 'SELECT 1' }),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({
        message: expect.stringContaining("Couldn't connect"),
      });
    } finally {
      await orphan.close();
    }
  });
});

describe('NeonEndpoint.close()', () => {
  it('drops open sessions and leaves no connection of this file in PostgreSQL', async () => {
    const client = createLocalClient(url);
    const errors = watchErrors(client);
    await client.connect();
    await endpoint.close();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
