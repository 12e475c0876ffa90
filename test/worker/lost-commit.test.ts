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
  logLineOf,
  testEnv,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

let handlerDone: (() => void) | undefined;
let beforeReturn: (() => Promise<void>) | undefined;

const routes = new Hono<AppEnv>();
routes.post('/l/create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  handlerDone?.();
  await beforeReturn?.();
  return c.json({ name }, 201);
});

const endpoint = useSiblingEndpoint({
  clearFaultsAfterEach: true,
  appName: `lost-commit-${crypto.randomUUID().slice(0, 8)}`,
});
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
    const env = endpoint.env();
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

describe('a COMMIT whose reply is lost after the database committed', () => {
  it('looks the transaction up and answers the 2xx the handler built', async () => {
    const env = endpoint.env();
    const name = uniqueName('lost-reply');
    await endpoint.setFaults({ loseReplies: { ws: 1 } });
    await endpoint.resetCounters();
    const result = await postJson('/l/create', { name }, env);
    expect(result.status).toBe(201);
    expect(result.body).toEqual({ name });
    expect(logLineOf(result)).toMatchObject({ outcome: 'committed', commitLookup: 'committed' });
    expect((await endpoint.counters()).lostReplies).toBe(1);
    const rows = await checkDb().query('select 1 from lists where name = $1', [name]);
    expect(rows).toHaveLength(1);
  });

  it('answers 503 commit_unknown when the lookups cannot reach the database either', async () => {
    const env = endpoint.env();
    const name = uniqueName('lost-reply-unknown');
    await endpoint.setFaults({ loseReplies: { ws: 1 } });
    // The session is open by now; from here on every new connection (the lookups) is refused.
    beforeReturn = () => endpoint.setFaults({ suspend: { failCount: 'forever' } });
    let result: Awaited<ReturnType<typeof postJson>>;
    try {
      result = await postJson('/l/create', { name }, env);
    } finally {
      beforeReturn = undefined;
    }
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'commit_unknown' });
    expect(result.res.headers.get('Retry-After')).toEqual(expect.any(String));
    expect(logLineOf(result)).toMatchObject({ outcome: 'unknown', commitLookup: 'unknown' });
    await endpoint.clearFaults();
    // Truly unknown to the app: the database did commit it, once.
    const rows = await checkDb().query('select 1 from lists where name = $1', [name]);
    expect(rows).toHaveLength(1);
  });
});
