import { randomUUID } from 'node:crypto';
import { neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../src/index.ts';
import { createLocalClient } from '../src/node-driver.ts';
import { countBackends, startFileEndpoint } from './endpoint-fixture.ts';
import { fieldShape, typeSampleSql } from './type-sample.ts';

const APP = `local-neon-types-${process.pid}`;
const MOOD = `local_neon_mood_${randomUUID().slice(0, 8)}`;
let endpoint: NeonEndpoint;
let url: string;
let direct: pg.Client;

beforeAll(async () => {
  ({ endpoint, url, direct } = await startFileEndpoint(APP));
  await direct.query(`CREATE TYPE ${MOOD} AS ENUM ('sad', 'happy')`);
});

afterAll(async () => {
  await endpoint.close();
  await direct.query(`DROP TYPE IF EXISTS ${MOOD}`);
  await direct.end();
});

async function viaWebSocket(query: string, params: unknown[] = []) {
  const client = createLocalClient(url);
  await client.connect();
  try {
    return await client.query(query, params);
  } finally {
    await client.end();
  }
}

describe('type parity between HTTP and WebSocket', () => {
  it('parses every sampled type to the same JS values over both transports', async () => {
    const sql = neon(url, { fullResults: true });
    const http = await sql.query(typeSampleSql(MOOD));
    const socket = await viaWebSocket(typeSampleSql(MOOD));

    expect(http.rows).toEqual(socket.rows);
    expect(http.rows[0]).toMatchObject({
      i2: 1,
      i4: 2147483647,
      i8: '9007199254740993',
      num: '12345.678901234567890',
      yes: true,
      t: 'héllo "x", {y}',
      j: { a: [1, 2.5, 's'] },
      ints: [1, 2, null],
      texts: ['a', 'b c', '"q"', null],
      mood: 'happy',
      nothing: null,
    });
    expect(Number.isNaN(http.rows[0]?.nan)).toBe(true);
    expect(http.command).toBe(socket.command);
    expect(http.rowCount).toBe(socket.rowCount);
  });

  it('reports the same field metadata as the wire protocol', async () => {
    const sql = neon(url, { fullResults: true });
    const http = await sql.query(typeSampleSql(MOOD));
    const socket = await viaWebSocket(typeSampleSql(MOOD));
    expect(http.fields.map(fieldShape)).toEqual(socket.fields.map(fieldShape));
  });

  it('passes driver-encoded parameters through unchanged', async () => {
    const params = [
      42,
      '9007199254740993',
      true,
      'it\'s "quoted"',
      new Date('2024-02-29T11:45:06.789Z'),
      Buffer.from([0, 1, 254, 255]),
      [1, 2, 3],
      ['a', 'b,c', null],
      { nested: { list: [1, 'two'] } },
      null,
    ];
    const query = `SELECT $1::int4 AS n, $2::int8 AS big, $3::bool AS flag, $4::text AS quoted,
      $5::timestamptz AS at, $6::bytea AS bytes, $7::int4[] AS ints, $8::text[] AS texts,
      $9::jsonb AS doc, $10::text AS nothing`;
    const sql = neon(url);
    const [httpRow] = await sql.query(query, params);
    const socket = await viaWebSocket(query, params);

    expect(httpRow).toEqual(socket.rows[0]);
    expect(httpRow?.doc).toEqual({ nested: { list: [1, 'two'] } });
    expect(httpRow?.texts).toEqual(['a', 'b,c', null]);
  });

  it('answers in array mode with positional rows, keeping duplicate column names', async () => {
    const sql = neon(url, { arrayMode: true, fullResults: true });
    const result = await sql.query('SELECT 1 AS a, 2 AS a');
    expect(result.rows).toEqual([[1, 2]]);
    expect(result.rowAsArray).toBe(true);
  });
});

describe('POST /sql without Neon-Raw-Text-Output', () => {
  it('turns bool, int4, float8, json and arrays into JSON values, as Neon does', async () => {
    const res = await fetch(`${endpoint.url}/sql`, {
      method: 'POST',
      headers: { 'Neon-Connection-String': url },
      body: JSON.stringify({
        query: `SELECT true AS b, 7::int4 AS i, 2.5::float8 AS f, 'Infinity'::float8 AS inf,
          9::int8 AS big, '{"k":[1]}'::jsonb AS j, ARRAY[[1,2],[3,NULL]]::int4[] AS m,
          ARRAY['x y', NULL]::text[] AS t`,
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: unknown[] };
    expect(body.rows).toEqual([
      {
        b: true,
        i: 7,
        f: 2.5,
        inf: 'Infinity',
        big: '9',
        j: { k: [1] },
        m: [
          [1, 2],
          [3, null],
        ],
        t: ['x y', null],
      },
    ]);
  });
});

describe('NeonEndpoint.close()', () => {
  it('leaves no connection of this file open in PostgreSQL', async () => {
    await endpoint.close();
    // Backends exit just after their socket closes, hence the poll.
    await expect.poll(() => countBackends(direct, APP)).toBe(0);
  });
});
