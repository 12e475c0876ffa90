import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';

type DevProcesses = { dev: number; wrangler?: number };

/**
 * Makes this process the one dev runner. A runner left behind (its npm killed, its terminal
 * gone) is asked to stop first, and so is a wrangler it left orphaned, so the ports are free
 * again instead of "address in use". A runner that is still attended is left alone: this
 * start fails and says so.
 */
export async function claimPidFile(path: string, log: (line: string) => void) {
  const previous = await readPrevious(path);
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

async function readPrevious(path: string): Promise<DevProcesses | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DevProcesses;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number, commandPart: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(commandPart);
  } catch {
    return true; // no /proc (macOS): the pid is alive, trust the file
  }
}

/** Its parent or grandparent (npm's `sh`) was reparented to init: nobody is attending it. */
function isOrphaned(pid: number): boolean {
  const parent = parentOf(pid);
  return parent === 1 || (parent !== undefined && parentOf(parent) === 1);
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // no /proc (macOS): treat as attended, the safe choice
  }
}

async function terminate(pid: number) {
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 20_000; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}
