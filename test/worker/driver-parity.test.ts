import { env } from 'cloudflare:workers';
import { Client, neon } from '@neondatabase/serverless';
import { fieldShape, typeSampleSql } from 'local-neon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { applyDriverSettings } from '../../src/db/driver-settings';

// The Worker's own settings for a loopback DATABASE_URL: what runs in `wrangler dev` and tests.
const config = loadConfig(env);
const MOOD = `parity_mood_${crypto.randomUUID().slice(0, 8)}`;

function httpSql() {
  applyDriverSettings(config);
  return neon(config.databaseUrl, { fullResults: true });
}

/** One WebSocket session per call, opened and closed inside the test, as a request would. */
async function viaWebSocket(query: string, params: unknown[] = []) {
  const client = new Client(config.databaseUrl);
  applyDriverSettings(config, client);
  // workerd reports the socket closing after end() as an 'error' event; the app ignores it too.
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(query, params);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await httpSql().query(`CREATE TYPE ${MOOD} AS ENUM ('sad', 'happy')`);
});

afterAll(async () => {
  await httpSql().query(`DROP TYPE IF EXISTS ${MOOD}`);
});

describe('the Neon driver inside workerd', () => {
  it('parses every sampled type to the same values over HTTP and WebSocket', async () => {
    const http = await httpSql().query(typeSampleSql(MOOD));
    const socket = await viaWebSocket(typeSampleSql(MOOD));

    expect(http.rows).toEqual(socket.rows);
    expect(http.rows[0]).toMatchObject({
      i2: 1,
      i8: '9007199254740993',
      num: '12345.678901234567890',
      yes: true,
      j: { a: [1, 2.5, 's'] },
      texts: ['a', 'b c', '"q"', null],
      mood: 'happy',
      nothing: null,
    });
    expect(http.rows[0]?.tstz).toEqual(new Date('2024-02-29T11:45:06.789Z'));
    expect(http.command).toBe(socket.command);
    expect(http.rowCount).toBe(socket.rowCount);
  });

  it('reports the same field metadata over HTTP and WebSocket', async () => {
    const http = await httpSql().query(typeSampleSql(MOOD));
    const socket = await viaWebSocket(typeSampleSql(MOOD));
    expect(http.fields.map(fieldShape)).toEqual(socket.fields.map(fieldShape));
  });

  it('sends the same parameters the same way over HTTP and WebSocket', async () => {
    const params = [
      42,
      '9007199254740993',
      true,
      'it\'s "quoted"',
      new Date('2024-02-29T11:45:06.789Z'),
      new Uint8Array([0, 1, 254, 255]),
      [1, 2, 3],
      ['a', 'b,c', null],
      { nested: { list: [1, 'two'] } },
      null,
    ];
    const query = `SELECT $1::int4 AS n, $2::int8 AS big, $3::bool AS flag, $4::text AS quoted,
      $5::timestamptz AS at, $6::bytea AS bytes, $7::int4[] AS ints, $8::text[] AS texts,
      $9::jsonb AS doc, $10::text AS nothing`;
    const http = await httpSql().query(query, params);
    const socket = await viaWebSocket(query, params);

    expect(http.rows).toEqual(socket.rows);
    expect(http.rows[0]).toMatchObject({
      n: 42,
      flag: true,
      quoted: 'it\'s "quoted"',
      at: new Date('2024-02-29T11:45:06.789Z'),
      doc: { nested: { list: [1, 'two'] } },
      nothing: null,
    });
  });

  it('raises the same SQLSTATE and fields for a failing statement', async () => {
    const query = 'SELECT 1 / 0';
    const httpError = await httpSql()
      .query(query)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const socketError = await viaWebSocket(query).then(
      () => undefined,
      (error: unknown) => error,
    );
    const pick = (error: unknown) => {
      const { code, severity, message } = error as Record<string, unknown>;
      return { code, severity, message };
    };
    expect(pick(httpError)).toEqual(pick(socketError));
    expect(pick(httpError)).toMatchObject({ code: '22012', message: 'division by zero' });
  });
});
