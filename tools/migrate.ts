/**
 * Applies drizzle/ migrations over TCP to the direct endpoint.
 * CLI: `npm run db:migrate` (DATABASE_URL_DIRECT from the environment, else `.dev.vars`).
 */
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { fail, isMain, ROOT, readDevVarsFile } from './cli';
import { assertDirectUrl, describeDatabase, failRedacted, resolveDirectUrl } from './direct-url';

const MIGRATIONS_FOLDER = join(ROOT, 'drizzle');
// Any constant works; it only has to be the same for every migrator of this database.
const MIGRATION_LOCK_KEY = 4_171_202_604;
// A suspended Neon compute takes a few seconds to wake; a hung connect must still end.
const CONNECT_TIMEOUT_MS = 20_000;

/** A pg client for a URL checked by `assertDirectUrl`, named `applicationName` in pg_stat_activity. */
export function directClient(url: URL, applicationName: string): pg.Client {
  // pg treats require/verify-ca as verify-full today and warns; say so explicitly.
  if (url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'verify-full');
  return new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: applicationName,
  });
}

/**
 * Applies pending migrations from drizzle/ to `directUrl`, holding an advisory lock so
 * concurrent runs (deploys, test setup) apply each migration once.
 * @example await applyMigrations(process.env.DATABASE_URL_DIRECT!, console.log)
 */
export async function applyMigrations(
  directUrl: string,
  log: (line: string) => void = () => {},
): Promise<void> {
  const client = directClient(assertDirectUrl(directUrl), 'drizzle-migrate');
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

async function main(): Promise<void> {
  const fromEnv = resolveDirectUrl(process.env);
  const url = fromEnv ?? resolveDirectUrl(readDevVarsFile());
  if (!url) {
    fail(
      'DATABASE_URL_DIRECT is not set. Export it (the direct, non-pooled Neon URL with ' +
        '?sslmode=require) or put it in .dev.vars.',
    );
  }
  console.log(`direct URL from ${fromEnv ? 'environment' : '.dev.vars'}`);
  await applyMigrations(url, console.log).catch(failRedacted('migration failed', url));
}

if (isMain(import.meta.url)) await main();
