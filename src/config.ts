import { ConfigError } from './errors';

/** Postgres isolation levels, as written after `BEGIN ISOLATION LEVEL`. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Which kind of Postgres endpoint `DATABASE_URL` names. */
export type EndpointKind = 'pooled' | 'direct' | 'local';

/** The validated configuration the database code reads; built once per `env` object. */
export type AppConfig = {
  /** `DATABASE_URL` with `application_name` set; a secret, never logged. */
  databaseUrl: string;
  host: string;
  /** True only for a loopback host: the one place the Worker knows it talks to the local stack. */
  isLocal: boolean;
  endpointKind: EndpointKind;
  appName: string;
  isolationLevel: IsolationLevel;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  retryDeadlineMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxTxAttempts: number;
  /** Strings to scrub from anything logged (the password). */
  secrets: string[];
};

/** Defaults for the optional `[vars]` in wrangler.toml. */
export const CONFIG_DEFAULTS = {
  APP_NAME: 'neon-workers-template',
  DB_ISOLATION_LEVEL: 'read committed',
  DB_STATEMENT_TIMEOUT_MS: 5_000,
  DB_CONNECT_TIMEOUT_MS: 3_000,
  DB_RETRY_DEADLINE_MS: 10_000,
  DB_RETRY_BASE_DELAY_MS: 100,
  DB_RETRY_MAX_DELAY_MS: 2_000,
  DB_MAX_TX_ATTEMPTS: 3,
} as const;

const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'read committed',
  'repeatable read',
  'serializable',
];
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

function readInteger(vars: RawVars, name: keyof typeof CONFIG_DEFAULTS, min: number, max: number) {
  const raw = vars[name];
  if (raw === undefined || raw === '') return CONFIG_DEFAULTS[name] as number;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}; fix it in wrangler.toml [vars].`,
    );
  }
  return value;
}

function readIsolationLevel(vars: RawVars): IsolationLevel {
  const raw = String(vars.DB_ISOLATION_LEVEL ?? CONFIG_DEFAULTS.DB_ISOLATION_LEVEL);
  const level = raw.trim().toLowerCase().replace(/[_-]+/g, ' ') as IsolationLevel;
  if (!ISOLATION_LEVELS.includes(level)) {
    throw new ConfigError(
      `DB_ISOLATION_LEVEL must be one of ${ISOLATION_LEVELS.map((l) => `"${l}"`).join(', ')}.`,
    );
  }
  return level;
}

// Postgres truncates application_name to 63 bytes and replaces non-ASCII with '?'.
function readAppName(vars: RawVars): string {
  const raw = String(vars.APP_NAME ?? '').trim() || CONFIG_DEFAULTS.APP_NAME;
  return raw.replace(/[^\x20-\x7e]/g, '_').slice(0, 63);
}

function parseDatabaseUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(
      `DATABASE_URL is not set. Set it to your Neon pooled connection string (${URL_SHAPE}): ` +
        '`wrangler secret put DATABASE_URL` in production, .dev.vars locally.',
    );
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid URL; expected ${URL_SHAPE}.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//; ` +
        `copy the connection string from the Neon console (${URL_SHAPE}).`,
    );
  }
  if (!url.hostname || !url.username || url.pathname.length <= 1) {
    throw new ConfigError(`DATABASE_URL needs a user, a host and a database name: ${URL_SHAPE}.`);
  }
  return url;
}

function assertTlsForRemote(url: URL): void {
  const sslmode = url.searchParams.get('sslmode');
  if (!isLoopbackHost(url.hostname) && sslmode && INSECURE_SSL_MODES.has(sslmode)) {
    throw new ConfigError(
      `DATABASE_URL has sslmode=${sslmode} for remote host ${url.hostname}; a remote database ` +
        'is only reached over TLS. Use sslmode=require (or remove sslmode).',
    );
  }
}

// The local token is in this repository for anyone to read: a Worker that accepts it in front of
// a real database accepts writes from anyone.
function refuseLocalTokenForRemote(vars: RawVars, url: URL): void {
  if (vars.API_TOKEN === LOCAL_DEV_API_TOKEN && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      'API_TOKEN is the public local development token while DATABASE_URL is not a local ' +
        'database; set a real token: `wrangler secret put API_TOKEN` (any long random string).',
    );
  }
}

const warnedHosts = new Set<string>();

function warnIfUnpooled(url: URL): void {
  if (
    !isNeonHost(url.hostname) ||
    url.hostname.includes('-pooler') ||
    warnedHosts.has(url.hostname)
  ) {
    return;
  }
  warnedHosts.add(url.hostname);
  console.warn(
    JSON.stringify({
      level: 'warn',
      msg: 'DATABASE_URL points at a direct Neon endpoint; the Worker belongs on the pooled one',
      host: url.hostname,
      fix: 'use the host with "-pooler" (Neon console: Connection pooling on)',
    }),
  );
}

/** The URL's password, percent-decoded; a raw `%` (not followed by two hex digits) is a ConfigError. */
function decodePassword(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ConfigError(
      'The DATABASE_URL password must be percent-encoded (a "%" in it is written "%25"); ' +
        'copy the connection string from the Neon console.',
    );
  }
}

function buildConfig(env: Env): AppConfig {
  const vars = env as unknown as RawVars;
  const url = parseDatabaseUrl(vars.DATABASE_URL);
  assertTlsForRemote(url);
  refuseLocalTokenForRemote(vars, url);
  warnIfUnpooled(url);
  const appName = readAppName(vars);
  url.searchParams.set('application_name', appName);
  const isLocal = isLoopbackHost(url.hostname);
  const password = decodePassword(url.password);
  return {
    databaseUrl: url.toString(),
    host: url.hostname,
    isLocal,
    endpointKind: isLocal ? 'local' : url.hostname.includes('-pooler') ? 'pooled' : 'direct',
    appName,
    isolationLevel: readIsolationLevel(vars),
    statementTimeoutMs: readInteger(vars, 'DB_STATEMENT_TIMEOUT_MS', 0, 600_000),
    connectTimeoutMs: readInteger(vars, 'DB_CONNECT_TIMEOUT_MS', 100, 60_000),
    retryDeadlineMs: readInteger(vars, 'DB_RETRY_DEADLINE_MS', 0, 120_000),
    retryBaseDelayMs: readInteger(vars, 'DB_RETRY_BASE_DELAY_MS', 1, 10_000),
    retryMaxDelayMs: readInteger(vars, 'DB_RETRY_MAX_DELAY_MS', 1, 60_000),
    maxTxAttempts: readInteger(vars, 'DB_MAX_TX_ATTEMPTS', 1, 10),
    secrets: password ? [password, encodeURIComponent(password)] : [],
  };
}

const configs = new WeakMap<object, AppConfig>();

/**
 * Validates the bindings on first use and memoizes the result per `env` object.
 * @throws {ConfigError} naming the variable and the fix; never echoing a password.
 */
export function loadConfig(env: Env): AppConfig {
  let config = configs.get(env);
  if (!config) {
    config = buildConfig(env);
    configs.set(env, config);
  }
  return config;
}

/** The password in `DATABASE_URL`, for redaction; works even when the config is invalid. */
export function secretsOf(env: Env): string[] {
  try {
    return loadConfig(env).secrets;
  } catch {
    try {
      const password = new URL(String((env as unknown as RawVars).DATABASE_URL)).password;
      if (!password) return [];
      try {
        return [decodeURIComponent(password), password];
      } catch {
        return [password];
      }
    } catch {
      return [];
    }
  }
}
