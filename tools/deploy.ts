/**
 * `npm run deploy [-- wrangler deploy flags]`: migrations to the production database's direct
 * endpoint, then `wrangler deploy`. The URL comes from the environment only, never from
 * .dev.vars (that file describes a development database), and a loopback host is refused.
 * With --dry-run it only bundles: no database is touched.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  type DirectUrlSourceVars,
  isLoopbackHost,
  redactPassword,
  resolveDirectUrl,
} from './direct-url';
import { applyMigrations } from './migrate';

/** The production direct URL from the environment, or an error message saying how to set it. */
export function productionDirectUrl(env: DirectUrlSourceVars): { url: string } | { error: string } {
  const url = resolveDirectUrl(env);
  if (!url) {
    return {
      error:
        'Set DATABASE_URL_DIRECT to the direct (non-pooled) URL of the production database: ' +
        "DATABASE_URL_DIRECT='postgresql://…/neondb?sslmode=require' npm run deploy. " +
        '.dev.vars is deliberately not read here.',
    };
  }
  try {
    if (isLoopbackHost(new URL(url).hostname)) {
      return { error: 'DATABASE_URL_DIRECT points at this machine; deploy migrates production.' };
    }
  } catch {
    // assertDirectUrl in applyMigrations reports a malformed URL.
  }
  return { url };
}

function runWrangler(args: string[]): Promise<number> {
  const child = spawn(
    process.execPath,
    ['node_modules/wrangler/bin/wrangler.js', 'deploy', ...args],
    {
      stdio: 'inherit',
    },
  );
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!args.includes('--dry-run')) {
    const target = productionDirectUrl(process.env as DirectUrlSourceVars);
    if ('error' in target) {
      console.error(target.error);
      process.exit(1);
    }
    try {
      await applyMigrations(target.url, console.log);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`migration failed, not deploying: ${redactPassword(message, target.url)}`);
      process.exit(1);
    }
  }
  process.exit(await runWrangler(args));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
