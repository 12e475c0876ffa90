import { neon } from '@neondatabase/serverless';
import type { AppConfig, EndpointKind } from '../config';
import { applyDriverSettings } from './driver-settings';
import type { RetryStats } from './retry';

/** What `GET /health/db` reports when the database answered. */
export type DatabaseHealthReport = {
  latencyMs: number;
  driver: 'http';
  endpoint: EndpointKind;
  serverVersion: string;
  attempts: number;
};

/**
 * One `SELECT 1` round trip over HTTP (which also reads the server version): a single attempt,
 * bounded by the connect timeout. The route is anonymous, so it never retries: during an outage
 * each call costs the database at most one connect. Neon's proxy holds a request to a
 * suspended compute until it wakes, so a cold start fits in that one attempt.
 */
export async function checkDatabase(
  config: AppConfig,
  stats: RetryStats = { attempts: 0, waitMs: 0 },
): Promise<DatabaseHealthReport> {
  applyDriverSettings(config);
  const started = Date.now();
  stats.attempts += 1;
  const sql = neon(config.databaseUrl, {
    fetchOptions: { signal: AbortSignal.timeout(config.connectTimeoutMs) },
  });
  const rows = await sql.query(
    "SELECT 1 AS ok, current_setting('server_version') AS server_version",
  );
  return {
    latencyMs: Date.now() - started,
    driver: 'http',
    endpoint: config.endpointKind,
    serverVersion: String(rows[0]?.server_version ?? ''),
    attempts: stats.attempts,
  };
}
