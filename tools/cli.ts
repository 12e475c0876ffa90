/** What the tool scripts share: the repository root, the entry-point test, exits, .dev.vars, children. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** wrangler's CLI, run with this Node rather than through npx. */
export const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** drizzle-kit's CLI, likewise. */
export const DRIZZLE_KIT = join(ROOT, 'node_modules/drizzle-kit/bin.cjs');

/** True when `moduleUrl` (a script's `import.meta.url`) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** An error's message, for a line that says what failed. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Prints `line` on stderr and exits 1. */
export function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

/** The variables of `.dev.vars` in the working directory; none when it has no such file. */
export function readDevVarsFile(): Record<string, string> {
  return existsSync('.dev.vars')
    ? (parseEnv(readFileSync('.dev.vars', 'utf8')) as Record<string, string>)
    : {};
}

/** Runs a Node script on this terminal; resolves to its exit code. */
export function runNodeScript(script: string, args: string[], env?: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env });
  return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}
