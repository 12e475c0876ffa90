import type { Measurement } from './report.ts';
import type { Scenario } from './scenarios.ts';

/** One of the targets in docs/benchmark.md, judged on one route (or on the run). */
export interface TargetVerdict {
  target: string;
  route: string;
  met: boolean;
  measured: string;
}

const find = (all: Measurement[], route: string, worker: string, latencyMs: number) =>
  all.find((m) => m.route === route && m.worker === worker && m.latencyMs === latencyMs);

/** Judges the measurements against the targets the README quotes. */
export function judgeTargets(all: Measurement[], scenarios: Scenario[]): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const latencies = [...new Set(all.map((m) => m.latencyMs))];
  for (const scenario of scenarios) {
    const template = all.filter((m) => m.route === scenario.name && m.worker === 'template');
    const trips = template.map((m) => m.roundTripsPerRequest ?? 0);
    if (trips.length === 0) continue;
    const worst = Math.max(...trips);
    if (scenario.kind === 'read') {
      verdicts.push({
        target: 'a read costs 1 round trip',
        route: scenario.label,
        met: worst <= 1,
        measured: `${worst.toFixed(2)} round trips`,
      });
    }
    if (scenario.kind === 'write') {
      const k = scenario.statements;
      verdicts.push({
        target: `a write of k=${k} statements costs <= k+2 = ${k + 2} round trips`,
        route: scenario.label,
        met: worst <= k + 2,
        measured: `${worst.toFixed(2)} round trips`,
      });
    }
    if (scenario.kind !== 'none' && latencies.includes(20)) {
      const t = find(all, scenario.name, 'template', 20);
      const b = find(all, scenario.name, 'baseline', 20);
      if (t && b) {
        const limit = scenario.kind === 'write' ? 0.5 : 1;
        verdicts.push({
          target:
            scenario.kind === 'write'
              ? 'at 20 ms, template p50 <= half the baseline p50 (writes)'
              : 'at 20 ms, template p50 <= baseline p50 (reads)',
          route: scenario.label,
          met: t.p50 <= limit * b.p50,
          measured: `${t.p50.toFixed(1)} ms vs ${b.p50.toFixed(1)} ms (ratio ${(t.p50 / b.p50).toFixed(2)})`,
        });
      }
    }
  }
  const template = find(all, 'health', 'template', 0);
  const hello = find(all, 'health', 'hello', 0);
  if (template && hello) {
    const overhead = template.p50 - hello.p50;
    verdicts.push({
      target: 'at 0 ms, the template adds < 1 ms p50 over bare Hono',
      route: 'GET /health',
      met: overhead < 1,
      measured: `${template.p50.toFixed(2)} ms vs ${hello.p50.toFixed(2)} ms (+${overhead.toFixed(2)} ms)`,
    });
  }
  return verdicts;
}

/** One line per verdict. */
export function formatVerdicts(verdicts: TargetVerdict[]): string[] {
  return verdicts.map(
    (v) => `  ${v.met ? 'met   ' : 'MISSED'}  ${v.target}  [${v.route}]  ${v.measured}`,
  );
}
