import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Client, neon } from '@neondatabase/serverless';
import type { Hono } from 'hono';
import type { EndpointCounters, FaultSettings } from 'local-neon';
import { EndpointControl } from 'local-neon/control';
import { afterAll, afterEach, beforeAll, inject, vi } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { loadConfig } from '../../src/config';
import { applyDriverSettings } from '../../src/db/driver-settings';
import { type CreateAppOptions, createApp } from '../../src/index';

declare module 'vitest' {
  // Provided by test/global-setup.ts: the harness's superuser login, never the app's.
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** The test stack's bindings (LOCAL_CONTROL_URL exists only in tests). */
export const testEnv = env as Env & { LOCAL_CONTROL_URL: string };

export type Counters = EndpointCounters;

/** A sibling local Neon endpoint: its own faults and counters, the same Postgres. */
export type SiblingEndpoint = {
  port: number;
  controlUrl: string;
  databaseUrl: string;
  counters(): Promise<Counters>;
  resetCounters(): Promise<void>;
  setFaults(faults: FaultSettings): Promise<void>;
  clearFaults(): Promise<void>;
  terminate(): Promise<number>;
  close(): Promise<void>;
  /** Waits until no WebSocket or HTTP request is open on this endpoint. */
  waitForIdle(): Promise<Counters>;
  /** The test bindings pointed at this endpoint (and the file's APP_NAME, if it gave one). */
  env(overrides?: Record<string, string | undefined>): Env;
};

/** Starts a sibling endpoint for one test file (faults there do not disturb other files). */
export async function startSiblingEndpoint(): Promise<SiblingEndpoint> {
  const root = new EndpointControl(testEnv.LOCAL_CONTROL_URL);
  const created = await root.createSibling();
  const control = new EndpointControl(created.controlUrl);
  const url = new URL(testEnv.DATABASE_URL);
  url.port = String(created.port);
  return {
    port: created.port,
    controlUrl: created.controlUrl,
    databaseUrl: url.toString(),
    counters: () => control.counters(),
    resetCounters: () => control.resetCounters(),
    setFaults: (faults) => control.setFaults(faults),
    clearFaults: () => control.clearFaults(),
    terminate: () => control.terminate(),
    close: () => root.removeSibling(created.port),
    env: (overrides = {}) => envWith({ DATABASE_URL: url.toString(), ...overrides }),
    // Unlike EndpointControl's, it fails the test when the endpoint does not become idle.
    waitForIdle: () =>
      vi.waitFor(
        async () => {
          const now = await control.counters();
          if (now.wsOpen !== 0 || now.httpInFlight !== 0) {
            throw new Error(`still open: ${JSON.stringify(now)}`);
          }
          return now;
        },
        { timeout: 5_000, interval: 20 },
      ),
  };
}

/**
 * What a file's sibling endpoint does after each test besides waiting until it is idle.
 * `appName`: the APP_NAME its `env()` sets; after each test no backend of it may still be busy
 * in pg_stat_activity (a transaction left open, a statement still running).
 */
export type SiblingHooksOptions = { clearFaultsAfterEach?: boolean; appName?: string };

/**
 * Gives this test file its own sibling endpoint: started before all tests, waited idle after
 * each (faults cleared first if asked), closed after all. Call it at module scope.
 */
export function useSiblingEndpoint(options: SiblingHooksOptions = {}): SiblingEndpoint {
  let started: SiblingEndpoint | undefined;
  let harness: Client | undefined;
  const current = (): SiblingEndpoint => {
    if (!started) throw new Error('the sibling endpoint starts in beforeAll');
    return started;
  };
  const { appName } = options;
  beforeAll(async () => {
    started = await startSiblingEndpoint();
    started.env = (overrides = {}) =>
      envWith({
        DATABASE_URL: current().databaseUrl,
        ...(appName && { APP_NAME: appName }),
        ...overrides,
      });
    if (appName) harness = await harnessSession();
  });
  afterEach(async () => {
    if (options.clearFaultsAfterEach) await current().clearFaults();
    await current().waitForIdle();
    if (appName && harness) {
      const session = harness;
      await vi.waitFor(
        async () => {
          const busy = await busyBackends(session, appName);
          if (busy !== 0) throw new Error(`${busy} backend(s) of ${appName} still busy`);
        },
        { timeout: 5_000, interval: 50 },
      );
    }
  });
  afterAll(async () => {
    await harness?.end().catch(() => {});
    await started?.close();
  });
  // Route handlers and env builders are declared before beforeAll runs, so they get a stand-in
  // that reads the started endpoint on each access.
  return new Proxy({} as SiblingEndpoint, { get: (_, key) => Reflect.get(current(), key) });
}

/** An env for the app: the test bindings with some replaced (DATABASE_URL, DB_* knobs). */
export function envWith(overrides: Record<string, string | undefined>): Env {
  return { ...testEnv, ...overrides } as Env;
}

/** What one call through the app returned, with the log lines it wrote. */
export type CallResult = {
  res: Response;
  status: number;
  body: Record<string, unknown>;
  text: string;
  logs: string[];
};

/** Builds the real app with test-only routes mounted (and `prepareClient`); logs are collected. */
export function buildApp(
  routes?: Hono<AppEnv>,
  options: Pick<CreateAppOptions, 'prepareClient'> = {},
) {
  const logs: string[] = [];
  const app = createApp({ ...options, extraRoutes: routes, log: (line) => logs.push(line) });
  /** Calls the app like the runtime does, then waits for its waitUntil work (closing). */
  async function call(path: string, init: RequestInit & { env?: Env } = {}): Promise<CallResult> {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://localhost${path}`, init),
      init.env ?? testEnv,
      ctx,
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON; `text` has it.
    }
    // Calls may run concurrently: a call's lines are those with its request id.
    const id = res.headers.get('X-Request-Id');
    const own = logs.filter((line) => line.includes(`"requestId":"${id}"`));
    return { res, status: res.status, body, text, logs: own };
  }
  /** POSTs `body` as JSON, in `env` (the test bindings if none). */
  function postJson(path: string, body: unknown, env?: Env): Promise<CallResult> {
    return call(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      env,
    });
  }
  return { logs, call, postJson };
}

/** The JSON log line of a call (exactly one per request). */
export function logLineOf(result: CallResult): Record<string, unknown> {
  const lines = result.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  const requests = lines.filter((l) => l.msg === 'request');
  if (requests.length !== 1) throw new Error(`expected one request line, got ${requests.length}`);
  return requests[0] as Record<string, unknown>;
}

/** A separate connection (HTTP, the main endpoint) for checking what was committed. */
export function checkDb() {
  applyDriverSettings(loadConfig(testEnv));
  return neon(testEnv.DATABASE_URL);
}

/** How many lists carry one of `names`, read over a separate connection. */
export async function countLists(names: string[]): Promise<number> {
  const rows = await checkDb().query('select count(*)::int as n from lists where name = any($1)', [
    names,
  ]);
  return rows[0]?.n as number;
}

/** A unique name for data a test owns. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * A superuser session of the harness through the main endpoint (which takes the login from the
 * URL): it sees every backend in pg_stat_activity, and a file's sibling endpoint counts only the
 * app's traffic. The caller closes it (`endClient`).
 */
export async function harnessSession(): Promise<Client> {
  const url = new URL(testEnv.DATABASE_URL);
  const superuser = new URL(inject('postgresUrl'));
  url.username = superuser.username;
  url.password = superuser.password;
  const client = new Client({ connectionString: url.toString() });
  applyDriverSettings(loadConfig(envWith({ DATABASE_URL: url.toString() })), client);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Sessions of `appName` not idle: running a query, or idle in a transaction. */
export async function busyBackends(session: Client, appName: string): Promise<number> {
  const { rows } = await session.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'",
    [appName],
  );
  return rows[0].n as number;
}
