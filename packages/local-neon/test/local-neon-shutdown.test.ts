import { createServer, type Server, type Socket } from 'node:net';
import { neon } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type NeonEndpoint, startNeonEndpoint } from '../src/index.ts';
import { createLocalClient, routeHttpToLocalEndpoints } from '../src/node-driver.ts';
import { endpointDatabaseUrl, startEndpointOnTestPostgres } from './endpoint-fixture.ts';

const APP = `local-neon-shutdown-${process.pid}`;

describe('an upstream that accepts connections and never answers (a frozen PostgreSQL)', () => {
  let silent: Server;
  const accepted = new Set<Socket>();
  let endpoint: NeonEndpoint;
  let url: string;

  beforeAll(async () => {
    silent = createServer((socket) => {
      accepted.add(socket);
      // Reads and drops what it gets, so it sees the endpoint hang up.
      socket.resume();
      socket.on('close', () => accepted.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    endpoint = await startNeonEndpoint({
      port: 0,
      upstream: { host: '127.0.0.1', port },
      upstreamConnectTimeoutMs: 200,
    });
    routeHttpToLocalEndpoints();
    url = endpointDatabaseUrl(endpoint.port, APP);
  });

  afterAll(async () => {
    await endpoint.close();
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('refuses a WebSocket session with XX000 and closes both of its sockets', async () => {
    const client = createLocalClient(url);
    client.on('error', () => {});
    await client.connect();
    await expect(client.query('SELECT 1')).rejects.toMatchObject({
      code: 'XX000',
      message: expect.stringMatching(
        /^Couldn't connect to compute node: PostgreSQL did not answer within 200 ms$/,
      ),
    });
    await client.end().catch(() => {});
    await expect.poll(() => endpoint.counters().wsOpen).toBe(0);
    await expect.poll(() => accepted.size).toBe(0);
  });

  it('answers an HTTP query with "Couldn\'t connect to compute node"', async () => {
    await expect(neon(url)`SELECT 1`).rejects.toThrow(
      /HTTP status 500.*Couldn't connect to compute node/,
    );
    expect(endpoint.counters().httpInFlight).toBe(0);
    await expect.poll(() => accepted.size).toBe(0);
  });
});

describe('a latency fault longer than the upstream connect timeout', () => {
  it('is not mistaken for a silent PostgreSQL: the wait starts once the startup is sent on', async () => {
    const postgres = new URL(inject('postgresUrl'));
    const endpoint = await startNeonEndpoint({
      port: 0,
      upstream: { host: postgres.hostname, port: Number(postgres.port) },
      upstreamConnectTimeoutMs: 200,
    });
    try {
      endpoint.setFaults({ latencyMs: 400 });
      const client = createLocalClient(endpointDatabaseUrl(endpoint.port, APP));
      client.on('error', () => {});
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await endpoint.close();
    }
  });
});

describe('NeonEndpoint.close() while a sibling is starting', () => {
  it('closes that sibling too', async () => {
    let parent: NeonEndpoint | undefined;
    let closing: Promise<void> | undefined;
    let siblingPort: number | undefined;
    // The sibling logs its address once it listens, just before its start resolves: the parent
    // begins to close right then.
    parent = await startEndpointOnTestPostgres((line) => {
      const port = /^local Neon endpoint on http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1];
      if (port && parent && Number(port) !== parent.port) {
        siblingPort = Number(port);
        closing = parent.close();
      }
    });
    const started = await fetch(`${parent.url}/_local/endpoints`, { method: 'POST' }).catch(
      (error: Error) => error,
    );
    expect(siblingPort).toBeDefined();
    await closing;
    // Either the answer never came (the parent dropped its connections) or it says so.
    if (started instanceof Response) expect(started.status).toBe(503);
    await expect(fetch(`http://127.0.0.1:${siblingPort}/_local/counters`)).rejects.toThrow();
  });

  it('refuses to start a sibling once it began', async () => {
    const parent = await startEndpointOnTestPostgres();
    const closing = parent.close();
    await expect(fetch(`${parent.url}/_local/endpoints`, { method: 'POST' })).rejects.toThrow();
    await closing;
  });
});
