import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../src/postgres.ts';
import { findUnreachableFolder, type OsAccount } from '../src/postgres-reach.ts';
import { LocalSetupError } from '../src/setup-error.ts';

// An account that owns nothing here, as the `postgres` user owns nothing in a clone.
const OUTSIDER: OsAccount = { name: 'postgres', uid: 424_242, gids: [424_242] };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'postgres-reach-'));
  await chmod(root, 0o755); // mkdtemp makes it 0700: each test chooses its own private folder
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('findUnreachableFolder', () => {
  it('names a 0700 folder on the way and what to do, in one line', async () => {
    const project = join(root, 'private', 'app');
    await mkdir(project, { recursive: true });
    await chmod(join(root, 'private'), 0o700);
    const reason = await findUnreachableFolder(
      [join(project, 'node_modules/pg/bin'), join(project, '.local/pg')],
      OUTSIDER,
    );
    expect(reason).toBe(
      `PostgreSQL runs as user postgres, which cannot enter ${join(root, 'private')} (mode 0700): ` +
        `run \`chmod o+x ${join(root, 'private')}\` if that is acceptable, or put the project in a folder others may enter.`,
    );
    expect(reason).not.toContain('\n');
  });

  it('passes folders others may enter, and folders not created yet', async () => {
    const open = join(root, 'open', 'app');
    await mkdir(open, { recursive: true });
    await chmod(join(root, 'open'), 0o711);
    expect(await findUnreachableFolder([join(open, '.local/pg')], OUTSIDER)).toBeUndefined();
  });

  it("passes a 0700 folder its owner's account enters", async () => {
    const mine = join(root, 'mine');
    await mkdir(mine, { mode: 0o700 });
    const me: OsAccount = { name: 'me', uid: process.getuid?.(), gids: [] };
    expect(await findUnreachableFolder([mine], me)).toBeUndefined();
  });
});

describe('startPostgres as root', () => {
  it.runIf(process.getuid?.() === 0)(
    'stops before initdb, with that one line, when the data folder is in a private folder',
    async () => {
      const hidden = join(root, 'hidden');
      await mkdir(hidden, { mode: 0o700 });
      const dataDir = join(hidden, 'pg');
      const started = startPostgres({ dataDir, port: 1 });
      await expect(started).rejects.toBeInstanceOf(LocalSetupError);
      await expect(started).rejects.toThrow(`cannot enter ${hidden} (mode 0700)`);
      expect(existsSync(dataDir)).toBe(false);
      expect(existsSync(`${dataDir}.credentials.json`)).toBe(false);
    },
  );
});
