/**
 * `npx local-neon`: a local Neon endpoint in front of an existing PostgreSQL (`--upstream`) or
 * of an embedded one it starts, until SIGINT or SIGTERM.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startNeonEndpoint } from './index.ts';
import { loadEmbedded } from './load-embedded.ts';

const HELP = `Usage: local-neon [options]

A Neon-compatible endpoint (HTTP /sql and WebSocket) for @neondatabase/serverless, on loopback.

Options:
  --port <n>              endpoint port (default 4444; 0 picks a free one)
  --host <addr>           address to listen on (default 127.0.0.1)
  --upstream <host:port>  front this PostgreSQL; without it, an embedded one is started
  --data-dir <path>       the embedded PostgreSQL's data folder (default .local/pg)
  --pg-port <n>           the embedded PostgreSQL's port (default 54322)
  --latency-ms <n>        add this latency from the start (more faults: POST /_local/faults)
  --upstream-timeout-ms <n>
                          how long PostgreSQL has to accept and answer a login (default 10000)
  -h, --help              show this help

Stops on Ctrl-C or SIGTERM. The embedded cluster and its passwords
(<data-dir>.credentials.json) stay for the next run; delete both to start over.`;

const say = (line: string) => console.log(`[local-neon] ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4444' },
      host: { type: 'string', default: '127.0.0.1' },
      upstream: { type: 'string' },
      'data-dir': { type: 'string', default: '.local/pg' },
      'pg-port': { type: 'string', default: '54322' },
      'latency-ms': { type: 'string' },
      'upstream-timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = portOf('--port', values.port);
  const latency = values['latency-ms'];
  const latencyMs = latency === undefined ? undefined : wholeNumber('--latency-ms', latency);
  const timeout = values['upstream-timeout-ms'];
  const upstreamConnectTimeoutMs =
    timeout === undefined ? undefined : timeoutOf('--upstream-timeout-ms', timeout);

  let stopPostgres = async () => {};
  let upstream: { host: string; port: number };
  let connectHint: (endpointUrl: string) => string[];
  if (values.upstream) {
    upstream = hostPortOf(values.upstream);
    connectHint = (at) => [
      `DATABASE_URL=postgres://<user>:<password>@${at}/<database> (a login of ${values.upstream})`,
      "WebSocket sessions need the upstream's `password` auth, or neonConfig.pipelineConnect = false.",
    ];
  } else {
    const { startPostgres } = await loadEmbedded();
    const dataDir = values['data-dir'];
    const postgres = await startPostgres({
      dataDir,
      port: portOf('--pg-port', values['pg-port']),
      log: say,
    });
    stopPostgres = postgres.stop;
    upstream = { host: postgres.host, port: postgres.port };
    const file = postgres.credentialsFile;
    say(`PostgreSQL ${postgres.host}:${postgres.port}, data in ${dataDir}`);
    // The password stays out of the output: it is in the credentials file, readable by this user.
    connectHint = (at) => [
      `DATABASE_URL=postgres://${postgres.appUser}:****@${at}/${postgres.database} (role "${postgres.appUser}" owns the database, not a superuser)`,
      `the password is "appPassword" in ${file}; to export the URL:`,
      `  export DATABASE_URL="postgres://${postgres.appUser}:$(node -p 'require(${JSON.stringify(resolve(file))}).appPassword')@${at}/${postgres.database}"`,
    ];
  }

  let endpoint: Awaited<ReturnType<typeof startNeonEndpoint>>;
  try {
    endpoint = await startNeonEndpoint({
      host: values.host,
      port,
      upstream,
      upstreamConnectTimeoutMs,
      log: say,
    });
  } catch (error) {
    await stopPostgres();
    throw error;
  }
  if (latencyMs !== undefined) endpoint.setFaults({ latencyMs });
  say(`endpoint ${endpoint.url} (HTTP /sql, WebSocket, control API ${endpoint.url}/_local)`);
  for (const line of connectHint(`${endpoint.host}:${endpoint.port}`)) say(line);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await endpoint.close().catch((error) => say(`closing the endpoint: ${messageOf(error)}`));
    await stopPostgres().catch((error) => say(`stopping PostgreSQL: ${messageOf(error)}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
}

function portOf(flag: string, text: string): number {
  const port = wholeNumber(flag, text);
  if (port > 65_535) throw new Error(`${flag} must be a port from 0 to 65535, got ${text}`);
  return port;
}

// setTimeout's range: a larger delay fires at once.
const MAX_TIMER_MS = 2_147_483_647;

function timeoutOf(flag: string, text: string): number {
  const ms = wholeNumber(flag, text);
  if (ms < 1 || ms > MAX_TIMER_MS) {
    throw new Error(`${flag} must be from 1 to ${MAX_TIMER_MS} ms, got ${text}`);
  }
  return ms;
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text))
    throw new Error(`${flag} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function hostPortOf(text: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match) throw new Error(`--upstream must be host:port, got ${JSON.stringify(text)}`);
  return { host: match[1] as string, port: portOf('--upstream', match[2] as string) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  console.error(`[local-neon] ${messageOf(error)}\n(run local-neon --help for the options)`);
  process.exit(1);
});
