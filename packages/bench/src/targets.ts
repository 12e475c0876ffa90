import type { Measurement } from './report.ts';
import type { Scenario } from './scenarios.ts';
import { type TerminateRunResult, unavailablePercent } from './terminate-creates.ts';

/** One of the targets in docs/benchmark.md, judged on one route (or on the run). */
export interface TargetVerdict {
  target: string;
  route: string;
  /** Null for a figure reported beside the targets without a limit of its own. */
  met: boolean | null;
  measured: string;
}

/** The p50 ratio to the baseline at 20 ms each kind of route must stay under. */
const RATIO_LIMITS = { read: 0.3, batch: 0.35 } as const;

/** At most this share of creates may answer 503 while sessions are terminated every 1–2 s. */
export const TERMINATED_503_LIMIT_PERCENT = 1;

const find = (all: Measurement[], route: string, worker: string, latencyMs: number) =>
  all.find((m) => m.route === route && m.worker === worker && m.latencyMs === latencyMs);

/** Round trips a route of this kind may cost: reads and write batches 1, interactive k + 2 or k + 3. */
function roundTripLimit(scenario: Scenario): number | null {
  if (scenario.kind === 'read' || scenario.kind === 'batch') return 1;
  if (scenario.kind === 'interactive') {
    return scenario.statements + (scenario.beginMode === 'explicit' ? 3 : 2);
  }
  return null;
}

/** Judges the measurements against the targets the README quotes. */
export function judgeTargets(
  all: Measurement[],
  scenarios: Scenario[],
  terminated?: TerminateRunResult,
): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const scenario of scenarios) {
    const template = all.filter((m) => m.route === scenario.name && m.worker === 'template');
    const trips = template.map((m) => m.roundTripsPerRequest ?? 0);
    const limit = roundTripLimit(scenario);
    if (trips.length === 0 || limit === null) continue;
    const worst = Math.max(...trips);
    const k = scenario.statements;
    verdicts.push({
      target:
        scenario.kind === 'interactive'
          ? `an interactive write of k=${k} (${scenario.beginMode ?? 'pipelined'} BEGIN) costs ${limit} round trips`
          : `a ${scenario.kind === 'read' ? 'read' : 'write batch'} of k=${k} costs 1 round trip`,
      route: scenario.label,
      met: worst <= limit,
      measured: `${worst.toFixed(2)} round trips`,
    });
    const t = find(all, scenario.name, 'template', 20);
    const b = find(all, scenario.name, 'baseline', 20);
    if (!t || !b) continue;
    const ratio = t.p50 / b.p50;
    const measured = `${t.p50.toFixed(1)} ms vs ${b.p50.toFixed(1)} ms (ratio ${ratio.toFixed(2)})`;
    if (scenario.kind === 'interactive') {
      verdicts.push({
        target: 'at 20 ms, p50 beside the baseline',
        route: scenario.label,
        met: null,
        measured,
      });
    } else if (scenario.kind === 'read' || scenario.kind === 'batch') {
      const limitRatio = RATIO_LIMITS[scenario.kind];
      verdicts.push({
        target: `at 20 ms, template p50 <= ${limitRatio} x the baseline's`,
        route: scenario.label,
        met: ratio <= limitRatio,
        measured,
      });
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
  if (terminated) {
    const percent = unavailablePercent(terminated);
    const { plain, keyed } = terminated.unavailable;
    verdicts.push({
      target: `sessions terminated every 1-2 s, ${terminated.concurrency} concurrent creates: <= ${TERMINATED_503_LIMIT_PERCENT} % answer 503`,
      route: 'POST /todos',
      met: percent <= TERMINATED_503_LIMIT_PERCENT,
      measured:
        `${percent.toFixed(2)} % of ${terminated.creates} (503: ${plain} of ${terminated.sent.plain} plain, ` +
        `${keyed} of ${terminated.sent.keyed} keyed; ${terminated.terminations} terminations ` +
        `ending ${terminated.terminated} sessions and requests)`,
    });
  }
  return verdicts;
}

/** One line per verdict. */
export function formatVerdicts(verdicts: TargetVerdict[]): string[] {
  const mark = (met: boolean | null) => (met === null ? 'info  ' : met ? 'met   ' : 'MISSED');
  return verdicts.map((v) => `  ${mark(v.met)}  ${v.target}  [${v.route}]  ${v.measured}`);
}
