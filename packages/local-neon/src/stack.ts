import { startNeonEndpoint } from './endpoint.ts';
import { type LocalPostgres, startPostgres } from './postgres.ts';
import type { NeonEndpoint } from './types.ts';

export interface LocalStackOptions {
  dataDir: string;
  postgresPort: number;
  /** 0 picks a free port. */
  endpointPort: number;
  unsafeFast?: boolean;
  log?: (line: string) => void;
  /** Brings the schema up to date, given the app role's direct URL, before the endpoint opens. */
  migrate?: (appUrl: string, log: (line: string) => void) => Promise<void>;
}

export interface LocalStack {
  postgres: LocalPostgres;
  endpoint: NeonEndpoint;
  /**
   * What the Worker uses: the app role (owner, not superuser) through the local Neon endpoint,
   * which stands where Neon's proxy would.
   */
  databaseUrl: string;
  /** The endpoint's fault and counter API. */
  controlUrl: string;
  stop(): Promise<void>;
}

/** PostgreSQL, then the `migrate` hook, then the local Neon endpoint in front of it. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const postgres = await startPostgres({
    dataDir: options.dataDir,
    port: options.postgresPort,
    unsafeFast: options.unsafeFast,
    log,
  });
  let endpoint: NeonEndpoint;
  try {
    // As on Neon, the app's own role migrates, so every table it creates is its own.
    await options.migrate?.(postgres.appUrl, log);
    endpoint = await startNeonEndpoint({
      port: options.endpointPort,
      upstream: { host: postgres.host, port: postgres.port },
      log,
    });
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  const credentials = `${postgres.appUser}:${encodeURIComponent(postgres.appPassword)}`;
  return {
    postgres,
    endpoint,
    databaseUrl: `postgres://${credentials}@${endpoint.host}:${endpoint.port}/${postgres.database}`,
    controlUrl: `${endpoint.url}/_local`,
    async stop() {
      await endpoint.close().catch(() => {});
      await postgres.stop();
    },
  };
}
