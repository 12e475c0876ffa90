import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { isLoopbackHost, LOCAL_DEV_API_TOKEN, loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { buildApp, envWith, logLineOf } from './core-harness';

const PASSWORD = 'Hunter2-secret-pw';

function configFor(vars: Record<string, string | undefined>) {
  return () => loadConfig(envWith(vars));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('loadConfig', () => {
  it('rejects a missing DATABASE_URL, naming it and the fix', () => {
    expect(configFor({ DATABASE_URL: undefined })).toThrow(ConfigError);
    expect(configFor({ DATABASE_URL: '' })).toThrow(/DATABASE_URL is not set.*wrangler secret put/);
  });

  it('rejects a wrong scheme without echoing the password', () => {
    const url = `mysql://app:${PASSWORD}@db.example.com/main`;
    const load = configFor({ DATABASE_URL: url });
    expect(load).toThrow(/DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    try {
      load();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    }
  });

  it('rejects a password with a raw "%", asking for percent-encoding without echoing it', () => {
    const raw = `${PASSWORD}%zz`;
    const load = configFor({ DATABASE_URL: `postgres://app:${raw}@db.example.com/main` });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL password must be percent-encoded/);
    try {
      load();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    }
  });

  it('rejects a URL that does not parse, without echoing it', () => {
    const load = configFor({ DATABASE_URL: `postgres://app:${PASSWORD}@[bad` });
    expect(load).toThrow(/not a valid URL/);
    try {
      load();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    }
  });

  it('rejects a remote host without TLS', () => {
    const url = `postgresql://app:${PASSWORD}@ep-cool-1-pooler.eu-central-1.aws.neon.tech/db?sslmode=disable`;
    const load = configFor({ DATABASE_URL: url });
    expect(load).toThrow(/sslmode=disable for remote host ep-cool-1-pooler/);
    try {
      load();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    }
  });

  it('allows a loopback host without TLS and marks it local', () => {
    const config = loadConfig(
      envWith({ DATABASE_URL: 'postgres://u:p@127.0.0.1:4444/main?sslmode=disable' }),
    );
    expect(config).toMatchObject({ isLocal: true, endpointKind: 'local' });
  });

  it('tells pooled from direct Neon endpoints and warns once about a direct one', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const direct = `postgresql://app:${PASSWORD}@ep-warn-2.eu-central-1.aws.neon.tech/db?sslmode=require`;
    expect(loadConfig(envWith({ DATABASE_URL: direct })).endpointKind).toBe('direct');
    loadConfig(envWith({ DATABASE_URL: direct }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('-pooler');
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(PASSWORD);
    const pooled = direct.replace('ep-warn-2', 'ep-warn-2-pooler');
    expect(loadConfig(envWith({ DATABASE_URL: pooled })).endpointKind).toBe('pooled');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('sets application_name from APP_NAME and reads the knobs from wrangler.toml [vars]', () => {
    const config = loadConfig(
      envWith({ DATABASE_URL: 'postgres://u:p@localhost:4444/main', APP_NAME: 'my-app' }),
    );
    expect(new URL(config.databaseUrl).searchParams.get('application_name')).toBe('my-app');
    expect(config).toMatchObject({
      isolationLevel: 'read committed',
      statementTimeoutMs: 5_000,
      connectTimeoutMs: 3_000,
      retryDeadlineMs: 10_000,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 2_000,
      maxTxAttempts: 3,
      readsRequireAuth: false,
    });
  });

  it('names a var that is missing, since wrangler.toml is where its default lives', () => {
    const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:4444/main' };
    expect(configFor({ ...base, DB_MAX_TX_ATTEMPTS: undefined })).toThrow(
      'DB_MAX_TX_ATTEMPTS is not set; it belongs in wrangler.toml [vars].',
    );
  });

  it('rejects a knob that is not a number in range, naming it', () => {
    const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:4444/main' };
    expect(configFor({ ...base, DB_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/DB_CONNECT_TIMEOUT_MS/);
    expect(configFor({ ...base, DB_MAX_TX_ATTEMPTS: '0' })).toThrow(/DB_MAX_TX_ATTEMPTS/);
    expect(configFor({ ...base, DB_ISOLATION_LEVEL: 'chaos' })).toThrow(/DB_ISOLATION_LEVEL/);
  });

  it('refuses the local development token with a database that is not local', () => {
    const remote = `postgresql://app:${PASSWORD}@ep-tok-1-pooler.eu-central-1.aws.neon.tech/db`;
    const load = configFor({ DATABASE_URL: remote, API_TOKEN: LOCAL_DEV_API_TOKEN });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/wrangler secret put API_TOKEN/);
    expect(load).not.toThrow(new RegExp(LOCAL_DEV_API_TOKEN));
    const local = 'postgres://u:p@127.0.0.1:4444/main';
    expect(configFor({ DATABASE_URL: local, API_TOKEN: LOCAL_DEV_API_TOKEN })).not.toThrow();
    expect(configFor({ DATABASE_URL: remote, API_TOKEN: 'a-real-secret' })).not.toThrow();
  });

  it('memoizes per env object', () => {
    const env = envWith({ DATABASE_URL: 'postgres://u:p@127.0.0.1:4444/main' });
    expect(loadConfig(env)).toBe(loadConfig(env));
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['10.0.0.1', 'ep-x.neon.tech', '127.0.0.1.evil.com', 'localhost.evil.com']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('a misconfigured Worker', () => {
  const routes = new Hono<AppEnv>();
  routes.post('/cfg/write', async (c) => {
    await c.var.tx();
    return c.json({});
  });
  const { call } = buildApp(routes);

  it('answers 500 configuration_error and logs which setting to fix, not the password', async () => {
    const env = envWith({ DATABASE_URL: `mysql://app:${PASSWORD}@db.example.com/main` });
    const result = await call('/cfg/write', { method: 'POST', env });
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ code: 'configuration_error' });
    expect(result.text).not.toContain(PASSWORD);
    const line = logLineOf(result);
    expect(line).toMatchObject({ errorName: 'ConfigError' });
    expect(String(line.error)).toContain('DATABASE_URL must start with postgres://');
    expect(JSON.stringify(line)).not.toContain(PASSWORD);
  });

  it('answers 500 configuration_error for a password with a raw "%"', async () => {
    const env = envWith({ DATABASE_URL: `postgres://app:${PASSWORD}%zz@db.example.com/main` });
    const result = await call('/cfg/write', { method: 'POST', env });
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ code: 'configuration_error' });
    expect(String(logLineOf(result).error)).toContain('percent-encoded');
    expect(result.text).not.toContain(PASSWORD);
    expect(result.logs.join('\n')).not.toContain(PASSWORD);
  });

  it.each([
    ['a write', 'POST', '/lists'],
    ['a read', 'GET', '/lists'],
  ])('refuses %s with the local token in front of a remote database', async (_, method, path) => {
    const env = envWith({
      DATABASE_URL: `postgresql://app:${PASSWORD}@ep-tok-2-pooler.eu-central-1.aws.neon.tech/db`,
      API_TOKEN: LOCAL_DEV_API_TOKEN,
    });
    const result = await call(path, {
      method,
      env,
      headers: {
        Authorization: `Bearer ${LOCAL_DEV_API_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: method === 'POST' ? JSON.stringify({ name: 'never' }) : undefined,
    });
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ code: 'configuration_error' });
    expect(String(logLineOf(result).error)).toContain('wrangler secret put API_TOKEN');
    for (const secret of [LOCAL_DEV_API_TOKEN, PASSWORD]) {
      expect(result.text).not.toContain(secret);
      expect(result.logs.join('\n')).not.toContain(secret);
    }
  });

  it('still answers GET /health, which needs no database', async () => {
    const env = envWith({ DATABASE_URL: undefined });
    const result = await call('/health', { env });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ok' });
  });
});
