import { randomUUID } from 'node:crypto';
import { type FullQueryResults, neon } from '@neondatabase/serverless';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeonEndpoint } from '../../tools/local-neon/index.ts';
import { createLocalClient } from '../../tools/local-neon/node-driver.ts';
import { countBackends, startFileEndpoint } from './endpoint-fixture.ts';

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

/** One row holding a broad sample of types, the enum included. */
function sampleSql() {
  return `SELECT
  1::int2 AS i2, 2147483647::int4 AS i4, 9007199254740993::int8 AS i8,
  12345.678901234567890::numeric AS num, 1.5::float4 AS f4, 3.141592653589793::float8 AS f8,
  'NaN'::float8 AS nan, true AS yes, false AS no, 'héllo "x", {y}'::text AS t,
  '\\xdeadbeef'::bytea AS bytes, '{"a":[1,2.5,"s"]}'::json AS j, '{"b": null}'::jsonb AS jb,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '2024-02-29'::date AS d,
  '13:45:06.789'::time AS tm, '2024-02-29 13:45:06.789'::timestamp AS ts,
  '2024-02-29 13:45:06.789+02'::timestamptz AS tstz, '1 year 2 mons 3 days 04:05:06'::interval AS iv,
  ARRAY[1, 2, NULL]::int4[] AS ints, ARRAY['a', 'b c', '"q"', NULL]::text[] AS texts,
  ARRAY[[1.5, 2], [3, 4]]::float8[] AS matrix, '{"x":1}'::jsonb AS jsonb_obj,
  'happy'::${MOOD} AS mood, NULL::text AS nothing, NULL::int4 AS no_int`;
}

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
    const http = await sql.query(sampleSql());
    const socket = await viaWebSocket(sampleSql());

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
    const http = await sql.query(sampleSql());
    const socket = await viaWebSocket(sampleSql());
    const shape = (field: FullQueryResults<false>['fields'][number]) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      tableID: field.tableID,
      columnID: field.columnID,
      dataTypeSize: field.dataTypeSize,
      dataTypeModifier: field.dataTypeModifier,
      format: field.format,
    });
    expect(http.fields.map(shape)).toEqual(socket.fields.map(shape));
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
