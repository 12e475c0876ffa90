import { Client } from '@neondatabase/serverless';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { loadConfig } from '../../src/config';
import { applyDriverSettings } from '../../src/db/driver-settings';
import { lists } from '../../src/db/schema';
import { lookUpCommitStatus } from '../../src/db/transaction';
import { endClient } from '../../src/db/ws-client';
import {
  buildApp,
  checkDb,
  envWith,
  logLineOf,
  testEnv,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

let handlerDone: (() => void) | undefined;

const routes = new Hono<AppEnv>();
routes.post('/l/create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  handlerDone?.();
  return c.json({ name }, 201);
});

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
const { postJson } = buildApp(routes);

/** A transaction id from a WebSocket session that ends as asked. */
async function finishedXid(end: 'COMMIT' | 'ROLLBACK'): Promise<string> {
  const config = loadConfig(testEnv);
  const client = new Client({ connectionString: config.databaseUrl });
  applyDriverSettings(config, client);
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT pg_current_xact_id()::text AS xid');
    await client.query(end);
    return rows[0].xid as string;
  } finally {
    await endClient(client);
  }
}

describe('lookUpCommitStatus', () => {
  it('tells a committed transaction from an aborted one', async () => {
    const config = loadConfig(testEnv);
    expect(await lookUpCommitStatus(config, await finishedXid('COMMIT'))).toBe('committed');
    expect(await lookUpCommitStatus(config, await finishedXid('ROLLBACK'))).toBe('aborted');
  });
});

describe('a connection lost during COMMIT', () => {
  it('looks the transaction up and answers 503 when it did not commit', async () => {
    const env = envWith({ DATABASE_URL: endpoint.databaseUrl });
    const name = uniqueName('lost-commit');
    // Every client burst now waits 500 ms inside the endpoint: the COMMIT is still on its way
    // when the session is terminated 100 ms after the handler returned.
    const returned = new Promise<void>((resolve) => {
      handlerDone = resolve;
    });
    const pending = postJson('/l/create', { name }, env);
    await endpoint.setFaults({ latencyMs: 0 });
    await returned;
    await endpoint.setFaults({ latencyMs: 500 });
    handlerDone = undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await endpoint.terminate();
    const result = await pending;
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    // COMMIT had been sent: the lookup settles it, and the request is never run again.
    expect(logLineOf(result)).toMatchObject({
      outcome: 'rolled_back',
      commitLookup: 'aborted',
      runs: 1,
    });
    const rows = await checkDb().query('select 1 from lists where name = $1', [name]);
    expect(rows).toHaveLength(0);
  });
});
