import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { type NeonDbError, neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../src/index.ts';
import { countBackends, startFileEndpoint } from './endpoint-fixture.ts';

const APP = `local-neon-http-${process.pid}`;
const TABLE = `local_neon_http_${randomUUID().slice(0, 8)}`;
const logLines: string[] = [];
let endpoint: NeonEndpoint;
let url: string;
let direct: pg.Client;

beforeAll(async () => {
  ({ endpoint, url, direct } = await startFileEndpoint(APP, {
    log: (line) => logLines.push(line),
  }));
  await direct.query(
    `CREATE TABLE ${TABLE} (id int PRIMARY KEY, name text NOT NULL CHECK (name <> ''))`,
  );
});

afterAll(async () => {
  await endpoint.close();
  await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await direct.end();
});

async function rowsInTable(): Promise<number[]> {
  const { rows } = await direct.query(`SELECT id FROM ${TABLE} ORDER BY id`);
  return rows.map((row) => row.id);
}

async function caught(promise: Promise<unknown>): Promise<NeonDbError> {
  try {
    await promise;
  } catch (error) {
    return error as NeonDbError;
  }
  throw new Error('expected the query to fail');
}

function postSql(body: string, headers: Record<string, string> = {}) {
  return fetch(`${endpoint.url}/sql`, {
    method: 'POST',
    headers: { 'Neon-Connection-String': url, ...headers },
    body,
  });
}

describe('sql.transaction() over HTTP', () => {
  it('runs with the requested isolation level, read-only and deferrable modes', async () => {
    const sql = neon(url);
    const [isolation, readOnly, deferrable] = await sql.transaction(
      [
        sql`SHOW transaction_isolation`,
        sql`SHOW transaction_read_only`,
        sql`SHOW transaction_deferrable`,
      ],
      { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
    );
    expect(isolation).toEqual([{ transaction_isolation: 'serializable' }]);
    expect(readOnly).toEqual([{ transaction_read_only: 'on' }]);
    expect(deferrable).toEqual([{ transaction_deferrable: 'on' }]);
  });

  it('refuses writes in a read-only batch', async () => {
    const sql = neon(url);
    const error = await caught(
      sql.transaction([sql`INSERT INTO ${sql.unsafe(TABLE)} VALUES (1, 'ro')`], { readOnly: true }),
    );
    expect(error.code).toBe('25006');
    expect(await rowsInTable()).not.toContain(1);
  });

  it('commits every statement of a successful batch', async () => {
    const sql = neon(url);
    const table = sql.unsafe(TABLE);
    await sql.transaction([
      sql`INSERT INTO ${table} VALUES (10, 'a')`,
      sql`INSERT INTO ${table} VALUES (11, 'b')`,
    ]);
    expect(await rowsInTable()).toEqual(expect.arrayContaining([10, 11]));
  });

  it('rolls the whole batch back when one statement fails', async () => {
    const sql = neon(url);
    const table = sql.unsafe(TABLE);
    const error = await caught(
      sql.transaction([
        sql`INSERT INTO ${table} VALUES (20, 'kept only if all succeed')`,
        sql`INSERT INTO ${table} VALUES (21, '')`,
      ]),
    );
    expect(error.code).toBe('23514');
    expect(await rowsInTable()).not.toContain(20);
  });
});

describe('PostgreSQL errors over HTTP', () => {
  it('carry code, detail, constraint, table and schema for a unique violation', async () => {
    const sql = neon(url);
    await sql.query(`INSERT INTO ${TABLE} VALUES (30, 'first')`);
    const error = await caught(sql.query(`INSERT INTO ${TABLE} VALUES (30, 'second')`));
    expect(error.name).toBe('NeonDbError');
    expect(error).toMatchObject({
      code: '23505',
      severity: 'ERROR',
      constraint: `${TABLE}_pkey`,
      table: TABLE,
      schema: 'public',
      detail: 'Key (id)=(30) already exists.',
    });
    expect(error.message).toContain('duplicate key value violates unique constraint');
  });

  it('carry the column of a not-null violation and the position of a syntax error', async () => {
    const sql = neon(url);
    const notNull = await caught(sql.query(`INSERT INTO ${TABLE} VALUES (40, NULL)`));
    expect(notNull).toMatchObject({ code: '23502', column: 'name', table: TABLE });
    const syntax = await caught(sql.query('SELECT FROM WHERE'));
    expect(syntax).toMatchObject({ code: '42601', position: expect.any(String) });
  });

  it('fail the login with 28P01 when the password is wrong', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const error = await caught(neon(wrong.toString())`SELECT 1`);
    expect(error.code).toBe('28P01');
    expect(error.message).toContain('password authentication failed');
  });

  it('answer an unknown database with a 500 that names SQLSTATE 3D000', async () => {
    const error = await caught(neon(url.replace('/main?', '/no_such_db?'))`SELECT 1`);
    expect(error.message).toMatch(/^Server error \(HTTP status 500\): .*"code":"3D000"/);
  });
});

describe('malformed requests to the SQL API', () => {
  it.each([
    ['invalid JSON', () => postSql('{not json'), 400],
    ['no query', () => postSql('{}'), 400],
    ['a non-string query', () => postSql('{"query": 5}'), 400],
    ['params that are not an array', () => postSql('{"query":"SELECT 1","params":"x"}'), 400],
    [
      'no connection string',
      () => postSql('{"query":"SELECT 1"}', { 'Neon-Connection-String': '' }),
      400,
    ],
    [
      'an unparsable connection string',
      () => postSql('{"query":"SELECT 1"}', { 'Neon-Connection-String': 'not a url' }),
      400,
    ],
    [
      'a non-postgres scheme',
      () => postSql('{"query":"SELECT 1"}', { 'Neon-Connection-String': 'mysql://u:p@h/db' }),
      400,
    ],
    [
      'a connection string without password',
      () =>
        postSql('{"query":"SELECT 1"}', { 'Neon-Connection-String': 'postgres://postgres@h/main' }),
      400,
    ],
    [
      'an unknown isolation level',
      () => postSql('{"queries":[]}', { 'Neon-Batch-Isolation-Level': 'Chaos' }),
      400,
    ],
    ['GET /sql', () => fetch(`${endpoint.url}/sql`), 405],
    ['another path', () => fetch(`${endpoint.url}/v1/query`, { method: 'POST', body: '{}' }), 404],
  ])('answers %s with a JSON %i', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { message: unknown };
    expect(body.message).toEqual(expect.any(String));
  });

  it('refuses a body over the 10 MB default with 413', async () => {
    const res = await postSql('x'.repeat(10 * 1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toContain('too large');
  });

  it('refuses a streamed body once it passes the limit, without a Content-Length', async () => {
    const megabyte = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 11) controller.enqueue(megabyte);
        else controller.close();
      },
    });
    const res = await fetch(`${endpoint.url}/sql`, {
      method: 'POST',
      headers: { 'Neon-Connection-String': url },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('answers a result over 10 MB with 507, as Neon does', async () => {
    const error = await caught(neon(url)`SELECT repeat('x', 11 * 1024 * 1024) AS big`);
    expect(error.message).toMatch(/^Server error \(HTTP status 507\): .*response is too large/);
    expect(await neon(url)`SELECT 1 AS still`).toEqual([{ still: 1 }]);
  });

  it('refuses a broken WebSocket handshake with 400 and keeps serving', async () => {
    const reply = await exchangeRaw(
      'GET /v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(await neon(url)`SELECT 1 AS still`).toEqual([{ still: 1 }]);
  });

  it('survives garbage on the socket and keeps serving', async () => {
    expect(await exchangeRaw('\x00\xffGARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await neon(url)`SELECT 1 AS still`).toEqual([{ still: 1 }]);
  });
});

/** Writes raw bytes to the endpoint and reads whatever comes back until it closes. */
function exchangeRaw(request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(endpoint.port, '127.0.0.1', () => socket.end(request, 'latin1'));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
}

describe('HTTP counters', () => {
  it('count one round trip per request and one query per batched statement', async () => {
    const sql = neon(url);
    endpoint.resetCounters();
    await sql`SELECT 1`;
    await sql.transaction([sql`SELECT 1`, sql`SELECT 2`, sql`SELECT 3`]);
    expect(endpoint.counters()).toEqual({
      wsOpen: 0,
      wsTotal: 0,
      httpInFlight: 0,
      httpRequests: 2,
      httpQueries: 4,
      roundTrips: 2,
      lostReplies: 0,
      delayedRoundTrips: 0,
      heldArrivals: 0,
      frozenBackends: 0,
    });
  });
});

describe('endpoint log', () => {
  it('never contains a password, a connection string or a SQL parameter', async () => {
    const secretUrl = new URL(url);
    secretUrl.password = 'hunter2-secret';
    await caught(neon(secretUrl.toString())`SELECT ${'param-secret-value'}::text`);
    await neon(url)`SELECT ${'param-secret-value'}::text`;
    const log = logLines.join('\n');
    expect(log).not.toContain('hunter2-secret');
    expect(log).not.toContain('param-secret-value');
    expect(log).not.toContain('postgres://');
    expect(logLines.length).toBeGreaterThan(0);
  });
});

describe('NeonEndpoint.close()', () => {
  it('leaves no connection of this file open in PostgreSQL', async () => {
    await endpoint.close();
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
