import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';

const run = promisify(execFile);

export interface WorkerOptions {
  /** A label for logs and reports, e.g. "template". */
  name: string;
  /** The Worker's entry, relative to the repository root (e.g. src/index.ts). */
  entry: string;
  /** Text bindings (vars and secrets) the Worker sees as `env`. */
  bindings: Record<string, string>;
  /** Where the bundle goes; removed by `dispose()`. */
  outDir: string;
  /** wrangler.toml whose compatibility date and flags the Worker runs with. */
  configPath?: string;
  /** Where the Worker's console output goes; dropped when absent (one log line per request). */
  logFile?: string;
}

export interface RunningWorker {
  name: string;
  url: URL;
  dispose(): Promise<void>;
}

/**
 * Bundles a Worker exactly as `wrangler deploy` would (dry run: nothing leaves the machine)
 * and runs the bundle in workerd through Miniflare on a free loopback port.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const configPath = resolve(options.configPath ?? 'wrangler.toml');
  const outDir = resolve(options.outDir);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await bundleWorker(options.entry, configPath, outDir);

  const config = unstable_readConfig({ config: configPath }, { hideWarnings: true });
  const logFile = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  // Miniflare 5 takes per-Worker config objects; its converter keeps the flat v4 shape readable.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: options.name,
      modules: true,
      scriptPath: join(outDir, `${basename(options.entry, extname(options.entry))}.js`),
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      bindings: { ...stringVars(config.vars), ...options.bindings },
      host: '127.0.0.1',
      port: 0,
      // A fixed placeholder instead of fetching Request.cf from the internet.
      cf: false,
      log: new Log(LogLevel.WARN),
      handleStructuredLogs(entry) {
        logFile?.write(`${entry.message}\n`);
      },
    }),
  );
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    logFile?.end();
    throw error;
  }
  return {
    name: options.name,
    url,
    async dispose() {
      await mf.dispose();
      logFile?.end();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

async function bundleWorker(entry: string, configPath: string, outDir: string): Promise<void> {
  const wrangler = resolve('node_modules/wrangler/bin/wrangler.js');
  const args = ['deploy', entry, '--dry-run', '--outdir', outDir, '--config', configPath];
  try {
    await run(process.execPath, [wrangler, ...args], {
      // No telemetry: a benchmark talks to loopback only.
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = (error as { stderr?: string; stdout?: string }).stderr ?? '';
    throw new Error(`wrangler could not bundle ${entry}:\n${output}`);
  }
}

function stringVars(vars: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) {
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
