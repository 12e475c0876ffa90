/**
 * `npm run deploy [-- wrangler deploy flags]`: migrations to the production database's direct
 * endpoint, then `wrangler deploy`. The URL comes from the environment only, never from
 * .dev.vars (that file describes a development database), and a loopback host is refused.
 * With --dry-run it only bundles: no database is touched.
 */
import { fail, isMain, runNodeScript, WRANGLER } from './cli';
import {
  type DirectUrlSourceVars,
  failRedacted,
  isLoopbackUrl,
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
  // A malformed URL passes here: assertDirectUrl in applyMigrations reports it.
  if (isLoopbackUrl(url)) {
    return { error: 'DATABASE_URL_DIRECT points at this machine; deploy migrates production.' };
  }
  return { url };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!args.includes('--dry-run')) {
    const target = productionDirectUrl(process.env);
    if ('error' in target) fail(target.error);
    await applyMigrations(target.url, console.log).catch(
      failRedacted('migration failed, not deploying', target.url),
    );
  }
  process.exit(await runNodeScript(WRANGLER, ['deploy', ...args]));
}

if (isMain(import.meta.url)) await main();
