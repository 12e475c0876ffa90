import pg from 'pg';
import { inject } from 'vitest';
import { type NeonEndpoint, startNeonEndpoint } from '../src/index.ts';
import { routeHttpToLocalEndpoints } from '../src/node-driver.ts';

/** One test file's local Neon endpoint, its database URL and a direct connection to Postgres. */
export type FileEndpointFixture = {
  endpoint: NeonEndpoint;
  /** The endpoint's database URL, tagged with the file's application_name. */
  url: string;
  /** A direct TCP connection to Postgres (not through the endpoint) for checking state. */
  direct: pg.Client;
  /** Closes the endpoint, then the direct connection. */
  close(): Promise<void>;
};

/**
 * A database URL on a local endpoint port whose sessions carry `app` as application_name. It
 * logs in as the test cluster's superuser: these tests are the harness, checking the endpoint.
 */
export function endpointDatabaseUrl(port: number, app: string): string {
  const url = new URL(inject('postgresUrl'));
  url.host = `127.0.0.1:${port}`;
  url.search = `?application_name=${app}`;
  return url.toString();
}

/** Starts an endpoint on a free port in front of the test stack's Postgres. */
export async function startEndpointOnTestPostgres(
  log?: (line: string) => void,
): Promise<NeonEndpoint> {
  const postgresUrl = new URL(inject('postgresUrl'));
  return startNeonEndpoint({
    port: 0,
    upstream: { host: postgresUrl.hostname, port: Number(postgresUrl.port) },
    log,
  });
}

/** Starts a file's own endpoint in front of the test Postgres (the driver's HTTP routed to it). */
export async function startFileEndpoint(
  app: string,
  options: { log?: (line: string) => void } = {},
): Promise<FileEndpointFixture> {
  const endpoint = await startEndpointOnTestPostgres(options.log);
  routeHttpToLocalEndpoints();
  const direct = new pg.Client(inject('postgresUrl'));
  await direct.connect();
  return {
    endpoint,
    url: endpointDatabaseUrl(endpoint.port, app),
    direct,
    close: async () => {
      await endpoint.close();
      await direct.end();
    },
  };
}

/** How many Postgres backends carry `app` as application_name. */
export async function countBackends(direct: pg.Client, app: string): Promise<number> {
  const { rows } = await direct.query(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [app],
  );
  return rows[0].n;
}

/** How many of `app`'s backends are running a statement that contains `text`. */
export async function countRunning(direct: pg.Client, app: string, text: string): Promise<number> {
  const { rows } = await direct.query(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%' || $2 || '%'",
    [app, text],
  );
  return rows[0].n;
}
