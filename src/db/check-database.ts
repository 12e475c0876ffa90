import { neon } from '@neondatabase/serverless';
import type { AppConfig, EndpointKind } from '../config';
import { applyDriverSettings } from './driver-settings';
import { type RetryStats, retryPolicyFor, retryTransient } from './retry';

/** What `GET /health/db` reports when the database answered. */
export type DatabaseHealthReport = {
  latencyMs: number;
  driver: 'http';
  endpoint: EndpointKind;
  serverVersion: string;
  attempts: number;
};

/**
 * One `SELECT 1` round trip over HTTP (which also reads the server version), retried like a
 * connect: a suspended compute gets the same deadline as a request.
 */
export async function checkDatabase(
  config: AppConfig,
  stats: RetryStats = { connectAttempts: 0, waitMs: 0 },
): Promise<DatabaseHealthReport> {
  applyDriverSettings(config);
  const started = Date.now();
  let attemptStarted = started;
  const rows = await retryTransient(
    (timeoutMs) => {
      attemptStarted = Date.now();
      const sql = neon(config.databaseUrl, {
        fetchOptions: { signal: AbortSignal.timeout(timeoutMs + config.statementTimeoutMs) },
      });
      return sql.query("SELECT 1 AS ok, current_setting('server_version') AS server_version");
    },
    retryPolicyFor(config, started),
    stats,
  );
  return {
    latencyMs: Date.now() - attemptStarted,
    driver: 'http',
    endpoint: config.endpointKind,
    serverVersion: String(rows[0]?.server_version ?? ''),
    attempts: stats.connectAttempts,
  };
}
