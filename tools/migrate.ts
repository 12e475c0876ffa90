/**
 * Applies drizzle/ migrations over TCP to the direct endpoint.
 * CLI: `npm run db:migrate` (DATABASE_URL_DIRECT from the environment, else `.dev.vars`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import {
  assertDirectUrl,
  type DirectUrlSourceVars,
  describeDatabase,
  redactPassword,
  resolveDirectUrl,
} from './direct-url';

const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle');
// Any constant works; it only has to be the same for every migrator of this database.
const MIGRATION_LOCK_KEY = 4_171_202_604;
// A suspended Neon compute takes a few seconds to wake; a hung connect must still end.
const CONNECT_TIMEOUT_MS = 20_000;

/**
 * Applies pending migrations from drizzle/ to `directUrl`, holding an advisory lock so
 * concurrent runs (deploys, test setup) apply each migration once.
 * @example await applyMigrations(process.env.DATABASE_URL_DIRECT!, console.log)
 */
export async function applyMigrations(
  directUrl: string,
  log: (line: string) => void = () => {},
): Promise<void> {
  const url = assertDirectUrl(directUrl);
  // pg treats require/verify-ca as verify-full today and warns; say so explicitly.
  if (url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'verify-full');
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'drizzle-migrate',
  });
  const started = performance.now();
  log(`migrating ${describeDatabase(directUrl)}`);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    log(`migrations applied in ${Math.round(performance.now() - started)} ms`);
  } finally {
    await client.end();
  }
}

/** The direct URL from the environment, else from `.dev.vars` in the working directory. */
function loadDirectUrl(cwd = process.cwd()): { url: string; source: string } | undefined {
  const fromEnv = resolveDirectUrl(process.env as DirectUrlSourceVars);
  if (fromEnv) return { url: fromEnv, source: 'environment' };
  const file = join(cwd, '.dev.vars');
  if (!existsSync(file)) return undefined;
  const fromFile = resolveDirectUrl(parseEnv(readFileSync(file, 'utf8')) as DirectUrlSourceVars);
  return fromFile ? { url: fromFile, source: '.dev.vars' } : undefined;
}

async function main(): Promise<void> {
  const found = loadDirectUrl();
  if (!found) {
    console.error(
      'DATABASE_URL_DIRECT is not set. Export it (the direct, non-pooled Neon URL with ' +
        '?sslmode=require) or put it in .dev.vars.',
    );
    process.exit(1);
  }
  try {
    console.log(`direct URL from ${found.source}`);
    await applyMigrations(found.url, console.log);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`migration failed: ${redactPassword(message, found.url)}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
