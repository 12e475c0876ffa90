import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from './config';
import { ConfigError } from './errors';

// wrangler.toml's [vars], as the Worker receives them.
const VARS = {
  APP_NAME: 'neon-workers-template',
  DB_ISOLATION_LEVEL: 'read committed',
  DB_STATEMENT_TIMEOUT_MS: '5000',
  DB_CONNECT_TIMEOUT_MS: '3000',
  DB_RETRY_DEADLINE_MS: '10000',
  DB_RETRY_BASE_DELAY_MS: '100',
  DB_RETRY_MAX_DELAY_MS: '2000',
  DB_MAX_TX_ATTEMPTS: '3',
  READS_REQUIRE_AUTH: 'false',
  CORS_ORIGINS: '',
  DATABASE_URL: 'postgres://app:pa%25ss@127.0.0.1:4444/main',
};
const envWith = (overrides: Record<string, string | undefined>) =>
  ({ ...VARS, ...overrides }) as unknown as Env;
const messageOf = (overrides: Record<string, string | undefined>) => {
  try {
    loadConfig(envWith(overrides));
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('loadConfig', () => {
  it('normalises the isolation level, the flags and the application name', () => {
    const config = loadConfig(
      envWith({
        DB_ISOLATION_LEVEL: ' REPEATABLE_READ ',
        READS_REQUIRE_AUTH: ' True ',
        APP_NAME: ` ${'é'.repeat(70)} `,
      }),
    );
    expect(config.isolationLevel).toBe('repeatable read');
    expect(config.readsRequireAuth).toBe(true);
    expect(config.appName).toBe('_'.repeat(63));
  });

  it('names the var, the rule and the fix', () => {
    expect(messageOf({ DB_CONNECT_TIMEOUT_MS: '99' })).toBe(
      'DB_CONNECT_TIMEOUT_MS must be a whole number from 100 to 60000; fix it in wrangler.toml [vars].',
    );
    expect(messageOf({ DB_MAX_TX_ATTEMPTS: '2.5' })).toContain('DB_MAX_TX_ATTEMPTS must be');
    expect(messageOf({ DB_ISOLATION_LEVEL: 'chaos' })).toBe(
      'DB_ISOLATION_LEVEL must be one of "read committed", "repeatable read", "serializable"; fix it in wrangler.toml [vars].',
    );
    expect(messageOf({ READS_REQUIRE_AUTH: 'maybe' })).toContain('must be "true" or "false"');
    expect(messageOf({ APP_NAME: ' ' })).toContain('APP_NAME must not be empty');
    expect(messageOf({ DB_RETRY_DEADLINE_MS: undefined })).toBe(
      'DB_RETRY_DEADLINE_MS is not set; it belongs in wrangler.toml [vars].',
    );
  });

  it('accepts the edges of each range', () => {
    const config = loadConfig(envWith({ DB_STATEMENT_TIMEOUT_MS: '0', DB_MAX_TX_ATTEMPTS: '10' }));
    expect(config).toMatchObject({ statementTimeoutMs: 0, maxTxAttempts: 10 });
  });

  it('redacts the password as the URL writes it, not only as encodeURIComponent would', () => {
    const url = 'postgres://app:a%21b%2bc@127.0.0.1:4444/main';
    const secrets = loadConfig(envWith({ DATABASE_URL: url })).secrets;
    expect(secrets).toEqual(expect.arrayContaining(['a!b+c', 'a%21b%2bc']));
    expect(secretsOf(envWith({ DATABASE_URL: url, DB_MAX_TX_ATTEMPTS: 'x' }))).toEqual(
      expect.arrayContaining(['a!b+c', 'a%21b%2bc']),
    );
  });

  it('keeps the decoded password for redaction and never puts it in a message', () => {
    expect(loadConfig(envWith({})).secrets).toEqual(['pa%ss', 'pa%25ss']);
    const broken = 'postgres://app:pa%zzss@127.0.0.1:4444/main';
    expect(messageOf({ DATABASE_URL: broken })).not.toContain('pa%zzss');
    expect(secretsOf(envWith({ DATABASE_URL: broken, DB_MAX_TX_ATTEMPTS: 'x' }))).toEqual([
      'pa%zzss',
    ]);
  });

  it('keeps a failed config per env object: the same ConfigError every time', () => {
    const env = envWith({ DB_MAX_TX_ATTEMPTS: 'x' });
    const thrown = () => {
      try {
        loadConfig(env);
      } catch (error) {
        return error;
      }
    };
    const first = thrown();
    expect(first).toBeInstanceOf(ConfigError);
    expect(thrown()).toBe(first);
  });
});
