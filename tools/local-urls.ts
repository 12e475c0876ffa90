import { credentialsFileOf, readLoginsSync } from 'local-neon/credentials';

/**
 * Where the database tools (drizzle-kit, `npm run db:seed`) connect when no URL is given:
 * the local stack's PostgreSQL that `npm run dev` starts, as the app role that owns the schema.
 */

/** The port `npm run dev` gives PostgreSQL unless `PG_PORT` says otherwise. */
export const LOCAL_POSTGRES_PORT = 54322;
/** The data folder `npm run dev` uses unless `PG_DATA_DIR` says otherwise. */
export const LOCAL_DATA_DIR = '.local/pg';

type UrlEnv = Record<string, string | undefined>;

// The password is made per data folder by the first `npm run dev`; before that there is none to
// read, and the URL carries an empty one (the tool then fails to log in, naming the database).
function appPasswordOf(dataDir: string): string {
  return readLoginsSync(credentialsFileOf(dataDir))?.appPassword ?? '';
}

/** The local stack's direct PostgreSQL URL (not the local Neon endpoint the Worker uses). */
export function localDirectUrl(env: UrlEnv = process.env): string {
  const port = Number(env.PG_PORT || LOCAL_POSTGRES_PORT);
  const password = encodeURIComponent(appPasswordOf(env.PG_DATA_DIR || LOCAL_DATA_DIR));
  return `postgres://app:${password}@127.0.0.1:${port}/main`;
}

/** `DATABASE_URL_DIRECT` when set, else the local stack's direct URL. */
export function toolDatabaseUrl(env: UrlEnv = process.env): string {
  return env.DATABASE_URL_DIRECT || localDirectUrl(env);
}
