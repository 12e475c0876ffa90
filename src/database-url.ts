import { ConfigError } from './errors';

/** The API token `npm run dev` uses when .dev.vars sets none; public, so only for loopback. */
export const LOCAL_DEV_API_TOKEN = 'local-dev-token';

type DatabaseUrlVars = { DATABASE_URL?: unknown; API_TOKEN?: unknown };

const INSECURE_SSL_MODES = new Set(['disable', 'allow', 'prefer']);
const URL_SHAPE = 'postgresql://USER:PASSWORD@HOST/DATABASE?sslmode=require';

/** True for hosts that never leave the machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** True for a URL (an Origin, a Host made a URL, a connection string) naming a loopback host. */
export function isLoopbackUrl(url: string): boolean {
  return URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
}

/** True for a Neon endpoint host (`ep-….neon.tech`). */
function isNeonHost(hostname: string): boolean {
  return /\.neon\.(tech|build)$/i.test(hostname);
}

/** `DATABASE_URL` as a URL, before any check; undefined when it is unset or does not parse. */
export function parseDatabaseUrl(raw: unknown): URL | undefined {
  const text = typeof raw === 'string' ? raw.trim() : '';
  return URL.canParse(text) ? new URL(text) : undefined;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Every way the URL's password can be written, for redaction: as the URL spells it (`%21` and
 * `%2b` are not what `encodeURIComponent` gives back), decoded, and re-encoded.
 */
export function passwordForms(url: URL): string[] {
  const plain = decoded(url.password);
  if (plain === undefined) return [url.password];
  return [...new Set([plain, url.password, encodeURIComponent(plain)])].filter(Boolean);
}

function refuse(message: string): never {
  throw new ConfigError(message);
}

/**
 * `url` (the parsed `DATABASE_URL`) if it is a postgres URL with user, host and database, TLS for
 * a remote host, a percent-encoded password and no public local token in front of it; otherwise
 * a {@link ConfigError} naming the fix. Warns once per host about a direct Neon endpoint.
 */
export function checkDatabaseUrl(url: URL | undefined, vars: DatabaseUrlVars): URL {
  if (!url) {
    const set = typeof vars.DATABASE_URL === 'string' && vars.DATABASE_URL.trim() !== '';
    refuse(
      set
        ? `DATABASE_URL is not a valid URL; expected ${URL_SHAPE}.`
        : `DATABASE_URL is not set. Set it to your Neon pooled connection string (${URL_SHAPE}): ` +
            '`wrangler secret put DATABASE_URL` in production, .dev.vars locally.',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    refuse(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//; ` +
        `copy the connection string from the Neon console (${URL_SHAPE}).`,
    );
  }
  if (!url.hostname || !url.username || url.pathname.length <= 1) {
    refuse(`DATABASE_URL needs a user, a host and a database name: ${URL_SHAPE}.`);
  }
  const remote = !isLoopbackHost(url.hostname);
  const sslmode = url.searchParams.get('sslmode') ?? '';
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
  warnIfUnpooled(url.hostname);
  if (decoded(url.password) === undefined) {
    refuse(
      'The DATABASE_URL password must be percent-encoded (a "%" in it is written "%25"); ' +
        'copy the connection string from the Neon console.',
    );
  }
  return url;
}

const warnedHosts = new Set<string>();

function warnIfUnpooled(host: string): void {
  if (!isNeonHost(host) || host.includes('-pooler') || warnedHosts.has(host)) return;
  warnedHosts.add(host);
  console.warn(
    JSON.stringify({
      level: 'warn',
      msg: 'DATABASE_URL points at a direct Neon endpoint; the Worker belongs on the pooled one',
      host,
      fix: 'use the host with "-pooler" (Neon console: Connection pooling on)',
    }),
  );
}
