import { cpus } from 'node:os';
import type { Scenario } from './scenarios.ts';

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
function ratioToBaseline(all: Measurement[], m: Measurement): number | null {
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

/**
 * One row per database route at each latency: its path (read, write batch, interactive), k,
 * the round trips of both Workers and the p50 ratio, so writes and reads sit side by side.
 */
export function printSummary(all: Measurement[], scenarios: Scenario[], write = console.log) {
  const header = [
    'latency',
    'route',
    'path',
    'k',
    'RT tpl',
    'RT base',
    'p50 tpl',
    'p50 base',
    'ratio',
  ];
  const body: string[][] = [];
  for (const latencyMs of [...new Set(all.map((m) => m.latencyMs))]) {
    for (const scenario of scenarios) {
      if (scenario.kind === 'none') continue;
      const t = all.find(
        (m) => m.route === scenario.name && m.worker === 'template' && m.latencyMs === latencyMs,
      );
      const b = all.find(
        (m) => m.route === scenario.name && m.worker === 'baseline' && m.latencyMs === latencyMs,
      );
      if (!t) continue;
      const trips = (m?: Measurement) => (m?.roundTripsPerRequest ?? Number.NaN).toFixed(2);
      body.push([
        `${latencyMs} ms`,
        scenario.label,
        scenario.kind === 'interactive'
          ? `interactive (${scenario.beginMode ?? 'pipelined'})`
          : scenario.kind,
        String(scenario.statements),
        trips(t),
        trips(b),
        t.p50.toFixed(1),
        b ? b.p50.toFixed(1) : '-',
        b ? (t.p50 / b.p50).toFixed(2) : '-',
      ]);
    }
  }
  if (body.length === 0) return;
  write('\nSide by side (template vs baseline, p50 in ms at concurrency 1)');
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`;
  write(line(header));
  for (const cells of body) write(line(cells));
}
