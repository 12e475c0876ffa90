import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

type DevProcesses = { dev: number; wrangler?: number };

/**
 * Makes this process the one dev runner. A runner left behind (its npm killed, its terminal
 * gone) is asked to stop first, and so is a wrangler it left orphaned, so the ports are free
 * again instead of "address in use". A runner that is still attended is left alone: this
 * start fails and says so.
 */
export async function claimPidFile(path: string, log: (line: string) => void) {
  const previous: DevProcesses | undefined = await readFile(path, 'utf8')
    .then(JSON.parse)
    .catch(() => undefined);
  if (previous && isRunning(previous.dev, 'tools/dev.ts')) {
    if (!isOrphaned(previous.dev)) {
      throw new Error(
        `npm run dev is already running (pid ${previous.dev}). Stop it with Ctrl-C in its terminal, or \`kill ${previous.dev}\`, then start again.`,
      );
    }
    log(`stopping the dev runner left from an earlier start (pid ${previous.dev})`);
    await terminate(previous.dev);
  }
  if (previous?.wrangler && isRunning(previous.wrangler, 'wrangler')) {
    log(`stopping a wrangler left from an earlier start (pid ${previous.wrangler})`);
    await terminate(previous.wrangler);
  }
  const write = (state: DevProcesses) => writeFile(path, JSON.stringify(state));
  await write({ dev: process.pid });
  return {
    record: ({ wrangler }: { wrangler?: number }) => write({ dev: process.pid, wrangler }),
    release: () => rm(path, { force: true }),
  };
}

function isAlive(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

/** A file of /proc/<pid>; undefined without /proc (macOS) or once the process is gone. */
function readProc(pid: number, file: 'cmdline' | 'stat'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function isRunning(pid: number, commandPart: string): boolean {
  // Without /proc the pid being alive is all there is to go on: trust the file.
  return isAlive(pid) && (readProc(pid, 'cmdline')?.includes(commandPart) ?? true);
}

/**
 * Its parent or grandparent (npm's `sh`) was reparented to init: nobody is attending it.
 * Without /proc it counts as attended, the safe choice.
 */
function isOrphaned(pid: number): boolean {
  const parent = parentOf(pid);
  return parent === 1 || (parent !== undefined && parentOf(parent) === 1);
}

function parentOf(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid …"; comm may contain spaces, so split after the last ")".
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function terminate(pid: number) {
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 20_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}
