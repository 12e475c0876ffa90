/**
 * Where the database tools (drizzle-kit, `npm run db:seed`) connect when no URL is given:
 * the local stack's PostgreSQL that `npm run dev` starts. The one place that knows its login.
 */

/** The port `npm run dev` gives PostgreSQL unless `PG_PORT` says otherwise. */
export const LOCAL_POSTGRES_PORT = 54322;

type UrlEnv = Record<string, string | undefined>;

/** The local stack's direct PostgreSQL URL (not the local Neon endpoint the Worker uses). */
export function localDirectUrl(env: UrlEnv = process.env): string {
  const port = Number(env.PG_PORT || LOCAL_POSTGRES_PORT);
  return `postgres://postgres:postgres@127.0.0.1:${port}/main`;
}

/** `DATABASE_URL_DIRECT` when set, else the local stack's direct URL. */
export function toolDatabaseUrl(env: UrlEnv = process.env): string {
  return env.DATABASE_URL_DIRECT || localDirectUrl(env);
}
