import { z } from 'zod';
import { checkDatabaseUrl, isLoopbackHost, parseDatabaseUrl, passwordForms } from './database-url';
import { ConfigError } from './errors';

export { isLoopbackHost, isLoopbackUrl, LOCAL_DEV_API_TOKEN } from './database-url';

const ISOLATION_LEVELS = ['read committed', 'repeatable read', 'serializable'] as const;
/** Postgres isolation levels, as written after `BEGIN ISOLATION LEVEL`. */
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** Which kind of Postgres endpoint `DATABASE_URL` names. */
export type EndpointKind = 'pooled' | 'direct' | 'local';

/** The validated configuration the database code reads; built once per `env` object. */
export type AppConfig = ReturnType<typeof buildConfig>;

type RawVars = Partial<Record<string, unknown>>;

function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\s*\d+\s*$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

/**
 * The `[vars]` of wrangler.toml, their only source of defaults: the Worker always receives
 * them (wrangler dev and deploy, the tests' wrangler.configPath, the bench's worker runner).
 */
const VarsSchema = z.object({
  // Postgres truncates application_name to 63 bytes and replaces non-ASCII with '?'.
  APP_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .transform((name) => name.replace(/[^\x20-\x7e]/g, '_').slice(0, 63)),
  DB_ISOLATION_LEVEL: z
    .string()
    .transform((level) => level.trim().toLowerCase().replace(/[_-]+/g, ' '))
    .pipe(
      z.enum(ISOLATION_LEVELS, {
        error: `must be one of ${ISOLATION_LEVELS.map((l) => `"${l}"`).join(', ')}`,
      }),
    ),
  DB_STATEMENT_TIMEOUT_MS: wholeNumber(0, 600_000),
  DB_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000),
  DB_RETRY_DEADLINE_MS: wholeNumber(0, 120_000),
  DB_RETRY_BASE_DELAY_MS: wholeNumber(1, 10_000),
  DB_RETRY_MAX_DELAY_MS: wholeNumber(1, 60_000),
  DB_MAX_TX_ATTEMPTS: wholeNumber(1, 10),
  READS_REQUIRE_AUTH: z
    .string()
    .transform((flag) => flag.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', ''], { error: 'must be "true" or "false"' }))
    .transform((flag) => flag === 'true'),
});

/** The vars, validated; the first problem is a {@link ConfigError} naming the var and the fix. */
function readVars(vars: RawVars): z.output<typeof VarsSchema> {
  const parsed = VarsSchema.safeParse(vars);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = String(issue?.path[0]);
  if (vars[key] === undefined) {
    throw new ConfigError(`${key} is not set; it belongs in wrangler.toml [vars].`);
  }
  throw new ConfigError(`${key} ${issue?.message}; fix it in wrangler.toml [vars].`);
}

function buildConfig(env: Env, parsedUrl: URL | undefined, secrets: string[]) {
  const url = new URL(checkDatabaseUrl(parsedUrl, env));
  const knobs = readVars(env as unknown as RawVars);
  url.searchParams.set('application_name', knobs.APP_NAME);
  const isLocal = isLoopbackHost(url.hostname);
  const endpointKind: EndpointKind = isLocal
    ? 'local'
    : url.hostname.includes('-pooler')
      ? 'pooled'
      : 'direct';
  return {
    databaseUrl: url.toString(), // a secret, never logged
    isLocal,
    endpointKind,
    appName: knobs.APP_NAME,
    isolationLevel: knobs.DB_ISOLATION_LEVEL,
    statementTimeoutMs: knobs.DB_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: knobs.DB_CONNECT_TIMEOUT_MS,
    retryDeadlineMs: knobs.DB_RETRY_DEADLINE_MS,
    retryBaseDelayMs: knobs.DB_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: knobs.DB_RETRY_MAX_DELAY_MS,
    maxTxAttempts: knobs.DB_MAX_TX_ATTEMPTS,
    readsRequireAuth: knobs.READS_REQUIRE_AUTH,
    secrets, // scrubbed from every log
  };
}

/** What one `env` object holds: its parsed `DATABASE_URL`, and the config or why it failed. */
type Loaded = { url?: URL; secrets: string[]; config?: AppConfig; error?: unknown };

const loaded = new WeakMap<object, Loaded>();

// A failure is kept like a success: bindings do not change under a running Worker.
function load(env: Env): Loaded {
  let entry = loaded.get(env);
  if (entry) return entry;
  const url = parseDatabaseUrl(env.DATABASE_URL);
  const secrets = url ? passwordForms(url) : [];
  try {
    entry = { url, secrets, config: buildConfig(env, url, secrets) };
  } catch (error) {
    entry = { url, secrets, error };
  }
  loaded.set(env, entry);
  return entry;
}

/** The bindings, validated once per `env` object; else the same {@link ConfigError} every time. */
export function loadConfig(env: Env): AppConfig {
  const { config, error } = load(env);
  if (!config) throw error;
  return config;
}

/** The password in `DATABASE_URL`, for redaction; known even when the config is invalid. */
export function secretsOf(env: Env): string[] {
  return load(env).secrets;
}

/**
 * True when `DATABASE_URL` names a loopback host, even when another var is broken: a broken knob
 * must not switch the local-only guard off. Without a readable URL no database is reached.
 */
export function usesLocalDatabase(env: Env): boolean {
  const { url } = load(env);
  return url !== undefined && isLoopbackHost(url.hostname);
}
