import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { productionDirectUrl } from '../../tools/deploy';
import {
  assertDirectUrl,
  describeDatabase,
  redactPassword,
  resolveDirectUrl,
} from '../../tools/direct-url';
import { applyMigrations } from '../../tools/migrate';

const NEON_POOLED =
  'postgresql://app:s3cr%40t@ep-cool-rain-123456-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require';
const NEON_DIRECT =
  'postgresql://app:s3cr%40t@ep-cool-rain-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require';

describe('resolveDirectUrl', () => {
  it('prefers DATABASE_URL_DIRECT', () => {
    expect(resolveDirectUrl({ DATABASE_URL_DIRECT: NEON_DIRECT, DATABASE_URL: 'x' })).toBe(
      NEON_DIRECT,
    );
  });

  it('derives the direct URL from the pooled one by dropping -pooler', () => {
    expect(resolveDirectUrl({ DATABASE_URL: NEON_POOLED })).toBe(NEON_DIRECT);
  });

  it('is undefined with neither set', () => {
    expect(resolveDirectUrl({})).toBeUndefined();
  });
});

describe('assertDirectUrl', () => {
  it('refuses a pooled URL and says migrations need the direct endpoint', () => {
    expect(() => assertDirectUrl(NEON_POOLED)).toThrow(/direct endpoint.*PgBouncer/s);
  });

  it.each(['', '?sslmode=disable', '?sslmode=prefer', '?sslmode=allow'])(
    'refuses a remote host with %s',
    (query) => {
      const url = `postgresql://app:pw@ep-x-1.eu-central-1.aws.neon.tech/neondb${query}`;
      expect(() => assertDirectUrl(url)).toThrow(/sslmode=require/);
    },
  );

  it.each(['require', 'verify-ca', 'verify-full'])('accepts sslmode=%s', (mode) => {
    expect(() => assertDirectUrl(NEON_DIRECT.replace('require', mode))).not.toThrow();
  });

  it('accepts a loopback host without TLS', () => {
    expect(() => assertDirectUrl('postgres://postgres:postgres@127.0.0.1:5432/main')).not.toThrow();
  });

  it('refuses another scheme without echoing the password', () => {
    const attempt = () => assertDirectUrl('mysql://app:hunter2@db.example/app');
    expect(attempt).toThrow(/postgres:\/\//);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('redaction', () => {
  it('names the database without its credentials, and masks the password in messages', () => {
    expect(describeDatabase(NEON_DIRECT)).not.toContain('s3cr');
    expect(describeDatabase(NEON_DIRECT)).toMatch(/^database "\w+" on ep-/);
    expect(redactPassword('failed for s3cr@t and s3cr%40t', NEON_DIRECT)).toBe(
      'failed for *** and ***',
    );
  });
});

describe('productionDirectUrl', () => {
  it('refuses the local stack', () => {
    expect(
      productionDirectUrl({ DATABASE_URL_DIRECT: 'postgres://p:p@127.0.0.1:1/main' }),
    ).toHaveProperty('error');
  });

  it('says how to set the URL when none is given', () => {
    const result = productionDirectUrl({});
    expect('error' in result && result.error).toContain('DATABASE_URL_DIRECT=');
  });
});

describe('applyMigrations', () => {
  it('is a no-op on an up-to-date database, and concurrent runs do not conflict', async () => {
    const url = inject('appPostgresUrl');
    const lines: string[] = [];
    await Promise.all([applyMigrations(url, (l) => lines.push(l)), applyMigrations(url)]);
    expect(lines.join('\n')).not.toContain(new URL(url).password);
    const client = new pg.Client(url);
    await client.connect();
    try {
      const applied = await client.query(
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      const tables = await client.query(
        "select tablename from pg_tables where schemaname = 'public' order by tablename",
      );
      expect(applied.rows[0].n).toBeGreaterThan(0);
      expect(tables.rows.map((r) => r.tablename)).toEqual([
        'idempotency_keys',
        'lists',
        'todos',
        'tx_receipts',
      ]);
    } finally {
      await client.end();
    }
  });
});
