import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';

interface DevProcesses {
  dev: number;
  wrangler?: number;
}

export interface PidFile {
  record(extra: Omit<DevProcesses, 'dev'>): Promise<void>;
  release(): Promise<void>;
}

/**
 * Makes this process the one dev runner. A runner left behind (its terminal closed, its npm
 * killed with SIGKILL) is asked to stop first, and so is a wrangler it left orphaned, so the
 * ports are free again instead of "address in use".
 */
export async function claimPidFile(path: string, log: (line: string) => void): Promise<PidFile> {
  const previous = await readPrevious(path);
  if (previous) {
    if (isRunning(previous.dev, 'tools/dev.ts')) {
      log(`stopping the dev runner left from an earlier start (pid ${previous.dev})`);
      await terminate(previous.dev);
    }
    if (previous.wrangler && isRunning(previous.wrangler, 'wrangler')) {
      log(`stopping a wrangler left from an earlier start (pid ${previous.wrangler})`);
      await terminate(previous.wrangler);
    }
  }
  let state: DevProcesses = { dev: process.pid };
  await writeFile(path, JSON.stringify(state));
  return {
    async record(extra) {
      state = { ...state, ...extra };
      await writeFile(path, JSON.stringify(state));
    },
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
