import { ConfigError } from './errors';

/** The API token `npm run dev` uses when .dev.vars sets none; public, so only for loopback. */
export const LOCAL_DEV_API_TOKEN = 'local-dev-token';

const INSECURE_SSL_MODES = new Set(['disable', 'allow', 'prefer']);
const URL_SHAPE = 'postgresql://USER:PASSWORD@HOST/DATABASE?sslmode=require';

/** True for hosts that never leave the machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** True for a Neon endpoint host (`ep-….neon.tech`). */
export function isNeonHost(hostname: string): boolean {
  return /\.neon\.(tech|build)$/i.test(hostname);
}

type RawVars = Partial<Record<string, unknown>>;

function refuse(message: string): never {
  throw new ConfigError(message);
}

function parseDatabaseUrl(vars: RawVars): URL {
  const raw = typeof vars.DATABASE_URL === 'string' ? vars.DATABASE_URL.trim() : '';
  if (!raw) {
    refuse(
      `DATABASE_URL is not set. Set it to your Neon pooled connection string (${URL_SHAPE}): ` +
        '`wrangler secret put DATABASE_URL` in production, .dev.vars locally.',
    );
  }
  if (!URL.canParse(raw)) refuse(`DATABASE_URL is not a valid URL; expected ${URL_SHAPE}.`);
  const url = new URL(raw);
  const sslmode = url.searchParams.get('sslmode') ?? '';
  const remote = !isLoopbackHost(url.hostname);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    refuse(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//; ` +
        `copy the connection string from the Neon console (${URL_SHAPE}).`,
    );
  }
  if (!url.hostname || !url.username || url.pathname.length <= 1) {
    refuse(`DATABASE_URL needs a user, a host and a database name: ${URL_SHAPE}.`);
  }
  if (remote && INSECURE_SSL_MODES.has(sslmode)) {
    refuse(
      `DATABASE_URL has sslmode=${sslmode} for remote host ${url.hostname}; a remote database ` +
        'is only reached over TLS. Use sslmode=require (or remove sslmode).',
    );
  }
  // The local token is public in this repository: in front of a real database it lets anyone write.
  if (remote && vars.API_TOKEN === LOCAL_DEV_API_TOKEN) {
    refuse(
      'API_TOKEN is the public local development token while DATABASE_URL is not a local ' +
        'database; set a real token: `wrangler secret put API_TOKEN` (any long random string).',
    );
  }
  return url;
}

const warnedHosts = new Set<string>();

function warnIfUnpooled(url: URL): void {
  const host = url.hostname;
  if (!isNeonHost(host) || host.includes('-pooler') || warnedHosts.has(host)) return;
  warnedHosts.add(host);
  console.warn(
    JSON.stringify({
      level: 'warn',
      msg: 'DATABASE_URL points at a direct Neon endpoint; the Worker belongs on the pooled one',
      host: url.hostname,
      fix: 'use the host with "-pooler" (Neon console: Connection pooling on)',
    }),
  );
}

/**
 * `DATABASE_URL`, checked: a postgres URL with user, host and database; TLS for a remote host;
 * no public local token in front of it; a warning for a direct Neon endpoint; the password decoded.
 */
export function readDatabaseUrl(vars: RawVars): { url: URL; password: string } {
  const url = parseDatabaseUrl(vars);
  warnIfUnpooled(url);
  try {
    return { url, password: decodeURIComponent(url.password) };
  } catch {
    return refuse(
      'The DATABASE_URL password must be percent-encoded (a "%" in it is written "%25"); ' +
        'copy the connection string from the Neon console.',
    );
  }
}
