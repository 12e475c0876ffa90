/**
 * Where the database tools (drizzle-kit, `npm run db:seed`) connect when no URL is given:
 * the local stack's PostgreSQL that `npm run dev` starts, as the app role that owns the schema.
 */
import { credentialsFileOf, readLoginsSync } from 'local-neon/credentials';

type UrlEnv = Record<string, string | undefined>;

/** Where `npm run dev` runs PostgreSQL, unless `PG_PORT` or `PG_DATA_DIR` say otherwise. */
export function localPostgres(env: UrlEnv = process.env) {
  return { port: Number(env.PG_PORT || 54322), dataDir: env.PG_DATA_DIR || '.local/pg' };
}

/** The local stack's direct PostgreSQL URL (not the local Neon endpoint the Worker uses). */
export function localDirectUrl(env: UrlEnv = process.env): string {
  const { port, dataDir } = localPostgres(env);
  // The first `npm run dev` makes the password per data folder; before that the URL carries an
  // empty one (the tool then fails to log in, naming the database).
  const logins = readLoginsSync(credentialsFileOf(dataDir));
  return `postgres://app:${encodeURIComponent(logins?.appPassword ?? '')}@127.0.0.1:${port}/main`;
}

/** `DATABASE_URL_DIRECT` when set, else the local stack's direct URL. */
export function toolDatabaseUrl(env: UrlEnv = process.env): string {
  return env.DATABASE_URL_DIRECT || localDirectUrl(env);
}
