import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations } from '../../tools/migrate';
import {
  assertSeedTarget,
  SEED_LIST_NAMES,
  SEED_TODOS_PER_LIST,
  seedDatabase,
} from '../../tools/seed';

const REMOTE =
  'postgresql://app:s3cr%40t@ep-cool-rain-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require';

/** What the seed leaves behind, in a form two runs can be compared by. */
async function snapshot(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select l.id as list_id, l.name, t.id as todo_id, t.title, t.completed,
              t.created_at > now() - interval '1 hour' as recent
         from lists l left join todos t on t.list_id = l.id
        order by l.name, t.id`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('npm run db:seed', () => {
  // A database of its own, so the worker tests' counts never see the sample rows.
  const database = `seed_test_${process.pid}`;
  let admin: pg.Client;
  let url: string;

  beforeAll(async () => {
    const base = new URL(inject('postgresUrl'));
    admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database ${database}`);
    base.pathname = `/${database}`;
    url = base.toString();
    await applyMigrations(url);
  });

  afterAll(async () => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  it('inserts the sample lists and todos, then leaves them as they are on a second run', async () => {
    const first = await seedDatabase(url);
    expect(first.inserted).toEqual({
      lists: SEED_LIST_NAMES.length,
      todos: SEED_LIST_NAMES.length * SEED_TODOS_PER_LIST,
    });
    const afterFirst = await snapshot(url);
    expect(new Set(afterFirst.map((row) => row.name))).toEqual(new Set(SEED_LIST_NAMES));
    for (const name of SEED_LIST_NAMES) {
      expect(afterFirst.filter((row) => row.name === name)).toHaveLength(SEED_TODOS_PER_LIST);
    }
    expect(afterFirst.every((row) => row.recent && row.title)).toBe(true);

    const lines: string[] = [];
    const second = await seedDatabase(url, { log: (line) => lines.push(line) });
    expect(second.inserted).toEqual({ lists: 0, todos: 0 });
    expect(lines.join('\n')).toMatch(/already seeded/);
    expect(await snapshot(url)).toEqual(afterFirst);
  });

  it('names the database it seeds without its user or password', async () => {
    const lines: string[] = [];
    await seedDatabase(url, { log: (line) => lines.push(line) });
    const password = new URL(url).password;
    expect(lines.join('\n')).toContain(database);
    expect(lines.join('\n')).not.toContain(`:${password}@`);
    expect(lines.join('\n')).not.toContain('postgres://');
  });
});

describe('assertSeedTarget', () => {
  it('refuses a remote database unless told, naming the flag and not the password', () => {
    const attempt = () => assertSeedTarget(REMOTE, false);
    expect(attempt).toThrow(/not on this machine.*--allow-remote/s);
    expect(() => attempt()).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cr') }),
    );
  });

  it('refuses before connecting: seedDatabase rejects a remote URL at once', async () => {
    // The host does not exist: a connection attempt would fail with another message.
    const unreachable = REMOTE.replace('neon.tech', 'invalid');
    await expect(seedDatabase(unreachable)).rejects.toThrow(/not on this machine/);
  });

  it('accepts a remote database with allowRemote, and a loopback one without', () => {
    expect(assertSeedTarget(REMOTE, true).hostname).toContain('neon.tech');
    expect(assertSeedTarget('postgres://p:p@127.0.0.1:54322/main', false).port).toBe('54322');
  });
});
