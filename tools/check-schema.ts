/**
 * `npm run db:check` (after `drizzle-kit check`): fails when `src/db/schema.ts` has changes that
 * no migration in `drizzle/` holds yet. drizzle-kit has no dry run, so it generates into a copy.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DRIZZLE_KIT, fail, isMain, ROOT } from './cli';

export type SchemaCheckResult = { ok: true } | { ok: false; reason: string };

/**
 * Generates migrations for `schema` (relative to the repository root, as drizzle-kit wants it)
 * into a scratch copy of drizzle/ and reports any new one.
 */
export async function checkSchemaGenerated({
  schema = './src/db/schema.ts',
} = {}): Promise<SchemaCheckResult> {
  const scratch = join(ROOT, '.local', `schema-check-${process.pid}-${Date.now()}`);
  const out = join(scratch, 'drizzle');
  try {
    await cp(join(ROOT, 'drizzle'), out, { recursive: true });
    const before = new Set(await readdir(out));
    // drizzle-kit prefixes --out with "./", so it must be relative to the working directory.
    const output = await runDrizzleKit([
      'generate',
      '--dialect',
      'postgresql',
      '--schema',
      schema,
      '--out',
      `./${relative(ROOT, out)}`,
    ]);
    const added = (await readdir(out)).filter((name) => !before.has(name) && name !== 'meta');
    if (added.length > 0) {
      return {
        ok: false,
        reason: `${schema} has changes no migration holds (drizzle-kit would write ${added.join(', ')}). Run \`npm run db:generate\` and commit the result.`,
      };
    }
    // It exits 0 even when it fails (a rename it would have to ask about needs a terminal).
    if (!output.includes('No schema changes')) {
      const detail = output.split('\n').find((line) => /error/i.test(line)) ?? '';
      return {
        ok: false,
        reason: `drizzle-kit did not confirm that ${schema} matches drizzle/: ${detail.trim()} Run \`npm run db:generate\` in a terminal.`,
      };
    }
    return { ok: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** drizzle-kit's stdout and stderr together, once it has exited. */
async function runDrizzleKit(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [DRIZZLE_KIT, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await once(child, 'close');
  return output;
}

async function main(): Promise<void> {
  const result = await checkSchemaGenerated();
  if (!result.ok) fail(result.reason);
  console.log('src/db/schema.ts matches the migrations in drizzle/');
}

if (isMain(import.meta.url)) await main();
