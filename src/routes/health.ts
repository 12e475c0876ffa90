import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../config';
import { checkDatabase } from '../db/check-database';
import { classifyDatabaseError } from '../db/classify-error';
import { ApiError } from '../errors';
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from '../problem';

/** Liveness (`/health`, no database) and readiness (`/health/db`, one round trip). */
export const health = new Hono<AppEnv>();

health.get('/health', (c) => c.json({ status: 'ok' }));

health.get('/health/db', async (c) => {
  const config = loadConfig(c.env);
  const trace = c.var.trace;
  try {
    const database = await checkDatabase(config, trace);
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
