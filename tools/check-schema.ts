/**
 * `npm run db:check` (after `drizzle-kit check`): fails when `src/db/schema.ts` has changes that
 * no migration in `drizzle/` holds yet. drizzle-kit has no dry run, so it generates into a copy.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMain, ROOT } from './cli';

const DRIZZLE_KIT = join(ROOT, 'node_modules/drizzle-kit/bin.cjs');
const NO_CHANGES = 'No schema changes';

export interface SchemaCheckOptions {
  /** Relative to the repository root, as drizzle-kit wants it. */
  schema?: string;
  migrations?: string;
}

export type SchemaCheckResult = { ok: true } | { ok: false; reason: string };

/** Generates migrations for `schema` into a scratch copy of `migrations` and reports any new one. */
export async function checkSchemaGenerated(
  options: SchemaCheckOptions = {},
): Promise<SchemaCheckResult> {
  const schema = options.schema ?? './src/db/schema.ts';
  const migrations = join(ROOT, options.migrations ?? 'drizzle');
  const scratch = join(ROOT, '.local', `schema-check-${process.pid}-${Date.now()}`);
  const out = join(scratch, 'drizzle');
  try {
    await mkdir(scratch, { recursive: true });
    await cp(migrations, out, { recursive: true });
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
    if (!output.includes(NO_CHANGES)) {
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

function runDrizzleKit(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [DRIZZLE_KIT, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
      });
    }
    child.once('error', fail);
    child.once('close', () => done(output));
  });
}

async function main(): Promise<void> {
  const result = await checkSchemaGenerated();
  if (!result.ok) {
    console.error(result.reason);
    process.exit(1);
  }
  console.log('src/db/schema.ts matches the migrations in drizzle/');
}

if (isMain(import.meta.url)) await main();
