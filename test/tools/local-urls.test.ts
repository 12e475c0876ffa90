import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDirectUrl, toolDatabaseUrl } from '../../tools/local-urls';

describe('toolDatabaseUrl', () => {
  it('prefers DATABASE_URL_DIRECT', () => {
    expect(toolDatabaseUrl({ DATABASE_URL_DIRECT: 'postgres://a:b@db.example/app' })).toBe(
      'postgres://a:b@db.example/app',
    );
  });

  it("falls back to the local stack's PostgreSQL, on PG_PORT when set", () => {
    expect(toolDatabaseUrl({})).toBe(localDirectUrl({}));
    expect(new URL(localDirectUrl({})).port).toBe('54322');
    expect(new URL(localDirectUrl({ PG_PORT: '6000' })).port).toBe('6000');
  });

  it('treats an empty DATABASE_URL_DIRECT as unset, as an empty line in a shell leaves it', () => {
    expect(toolDatabaseUrl({ DATABASE_URL_DIRECT: '' })).toBe(localDirectUrl({}));
  });

  it('logs in as the app role with the password stored beside PG_DATA_DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-urls-'));
    try {
      const dataDir = join(dir, 'pg');
      await writeFile(
        `${dataDir}.credentials.json`,
        JSON.stringify({ superuserPassword: 's', appPassword: 'p/w' }),
      );
      const url = new URL(localDirectUrl({ PG_DATA_DIR: dataDir }));
      expect(url.username).toBe('app');
      expect(decodeURIComponent(url.password)).toBe('p/w');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
