import { neon } from '@neondatabase/serverless';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { type EndpointKind, loadConfig } from '../config';
import { classifyDatabaseError } from '../db/classify-error';
import { applyDriverSettings } from '../db/driver-settings';
import { ApiError } from '../errors';
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from '../problem';

/** What `GET /health/db` reports when the database answered. */
export type DatabaseHealthReport = {
  latencyMs: number;
  driver: 'http';
  endpoint: EndpointKind;
  serverVersion: string;
  attempts: number;
};

/** Liveness (`/health`, no database) and readiness (`/health/db`, one round trip). */
export const health = new Hono<AppEnv>();

health.get('/health', (c) => c.json({ status: 'ok' }));

// One `SELECT 1` over HTTP, a single attempt bounded by the connect timeout, not c.var.http():
// the route is anonymous, so during an outage each call may cost the database at most one
// connect. Neon's proxy holds a request to a suspended compute until it wakes, so a cold start
// fits in that one attempt.
health.get('/health/db', async (c) => {
  const config = loadConfig(c.env);
  const trace = c.var.trace;
  const started = Date.now();
  trace.attempts += 1;
  try {
    applyDriverSettings(config);
    const sql = neon(config.databaseUrl, {
      fetchOptions: { signal: AbortSignal.timeout(config.connectTimeoutMs) },
    });
    const rows = await sql.query(
      "SELECT 1 AS ok, current_setting('server_version') AS server_version",
    );
    const database: DatabaseHealthReport = {
      latencyMs: Date.now() - started,
      driver: 'http',
      endpoint: config.endpointKind,
      serverVersion: String(rows[0]?.server_version ?? ''),
      attempts: trace.attempts,
    };
    trace.queryMs += database.latencyMs;
    return c.json({ status: 'ok', database });
  } catch (error) {
    // 503, never 200: a monitor must see an unhealthy database. Only the error's kind is shown.
    const { kind, sqlState } = classifyDatabaseError(error);
    throw new ApiError(503, 'database_unavailable', 'The database did not answer SELECT 1.', {
      cause: error,
      headers: { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS) },
      details: [
        {
          reason: kind,
          sqlState,
          driver: 'http',
          endpoint: config.endpointKind,
          attempts: trace.attempts,
        },
      ],
    });
  }
});
