import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalSetupError } from './setup-error.ts';

/** The passwords of one local data folder's two logins. */
export interface LocalLogins {
  /** The bootstrap superuser's: for the harness and migrations tooling only. */
  superuserPassword: string;
  /** The app role's: what the Worker's DATABASE_URL carries. */
  appPassword: string;
}

/** Where a data folder's passwords live: beside it, so deleting `.local` forgets them. */
export function credentialsFileOf(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, '')}.credentials.json`;
}

/**
 * The logins stored for a data folder, created (random, readable by this user only) on first
 * use. A well-known password would let any local user, or any page that reaches the endpoint,
 * log in to a database that runs programs as the PostgreSQL OS user.
 */
export async function loadOrCreateLogins(file: string): Promise<LocalLogins> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text !== undefined) {
    const stored = parseLogins(text);
    if (!stored) {
      throw new LocalSetupError(
        `${file} is not a credentials file this tool wrote: delete it and its data folder to start over.`,
      );
    }
    return stored;
  }
  const logins = { superuserPassword: randomPassword(), appPassword: randomPassword() };
  // It is written before initdb creates the data folder, so its parent may not exist yet.
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return logins;
}

/** The logins stored for a data folder, or undefined when there are none (yet) or not ours. */
export function readLoginsSync(file: string): LocalLogins | undefined {
  try {
    return parseLogins(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseLogins(text: string): LocalLogins | undefined {
  try {
    const value = JSON.parse(text) as Partial<LocalLogins>;
    const { superuserPassword, appPassword } = value;
    if (
      typeof superuserPassword === 'string' &&
      superuserPassword &&
      typeof appPassword === 'string' &&
      appPassword
    ) {
      return { superuserPassword, appPassword };
    }
  } catch {
    // fall through: not ours
  }
  return undefined;
}

/** URL-safe, so it needs no escaping in a connection string or a SQL literal. */
function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
