import { cpus } from 'node:os';

/** One Worker on one route at one injected latency. Times in ms. */
export interface Measurement {
  route: string;
  label: string;
  latencyMs: number;
  worker: string;
  p50: number;
  p95: number;
  p99: number;
  /** Requests per second, keyed by concurrency. */
  rps: Record<string, number>;
  /** Endpoint round trips divided by requests, from the concurrency-1 run; null without a DB. */
  roundTripsPerRequest: number | null;
  /** Answers outside 2xx (status 0: no answer), over all runs of this cell. */
  failures: number;
  statuses: Record<string, number>;
}

export interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  platform: string;
}

export function describeMachine(): MachineInfo {
  const cores = cpus();
  return {
    nproc: cores.length,
    cpu: cores[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Template p50 over baseline p50 for the same route and latency (below 1 is faster). */
export function ratioToBaseline(all: Measurement[], m: Measurement): number | null {
  const baseline = all.find(
    (o) => o.worker === 'baseline' && o.route === m.route && o.latencyMs === m.latencyMs,
  );
  return baseline ? m.p50 / baseline.p50 : null;
}

/** Prints one table per route: every latency and Worker as a row. */
export function printTables(all: Measurement[], concurrencies: number[], write = console.log) {
  const routes = [...new Set(all.map((m) => m.route))];
  for (const route of routes) {
    const rows = all.filter((m) => m.route === route);
    write(`\n${rows[0]?.label}`);
    const header = [
      'latency',
      'worker',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      ...concurrencies.map((c) => `req/s c=${c}`),
      'RT/req',
      'p50/baseline',
      'fail',
    ];
    const body = rows.map((m) => {
      const ratio = ratioToBaseline(all, m);
      return [
        `${m.latencyMs} ms`,
        m.worker,
        m.p50.toFixed(2),
        m.p95.toFixed(2),
        m.p99.toFixed(2),
        ...concurrencies.map((c) => (m.rps[c] ?? Number.NaN).toFixed(0)),
        m.roundTripsPerRequest === null ? '-' : m.roundTripsPerRequest.toFixed(2),
        ratio === null ? '-' : ratio.toFixed(2),
        String(m.failures),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) =>
      `  ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`;
    write(line(header));
    for (const cells of body) write(line(cells));
  }
}
