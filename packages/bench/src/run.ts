import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EndpointControl } from 'local-neon/control';
import { percentile, runLoad } from './load.ts';
import { startLocalRun, type WorkerName } from './local-run.ts';
import { describeMachine, type Measurement, printSummary, printTables } from './report.ts';
import { buildScenarios, requestsPerScenario, type Scenario, seedBenchData } from './scenarios.ts';
import { formatVerdicts, judgeTargets } from './targets.ts';
import { runTerminateCreates, type TerminateRunResult } from './terminate-creates.ts';

export interface BenchOptions {
  latencies: number[];
  requests: number;
  concurrencies: number[];
  warmup: number;
  /** Scenario names to run; all when empty. */
  routes: string[];
  /** How long the terminated-sessions run sends creates (at 20 ms); 0 skips it. */
  terminateSeconds: number;
  terminateConcurrency: number;
  out: string;
}

const USAGE = `npm run bench -- [--latency 20,0] [--requests 100] [--concurrency 1,32]
                    [--warmup 10] [--routes health,read-todo,...]
                    [--terminate-seconds 20] [--terminate-concurrency 24]
                    [--out bench-results/latest.json]`;

/** Injected latency of the terminated-sessions run. */
const TERMINATE_LATENCY_MS = 20;

/** Measures the template, the guide-style baseline and bare Hono on one throwaway local stack. */
async function runBench(options: BenchOptions, log: (line: string) => void) {
  const run = await startLocalRun({
    name: 'bench',
    workers: ['template', 'template-explicit', 'baseline', 'hello'],
    log,
    logDir: join(dirname(options.out), 'workers'),
  });
  try {
    const control = new EndpointControl(run.stack.controlUrl);
    // Each Worker deletes its own todos: one per DELETE request it is sent.
    const data = await seedBenchData(run.stack.postgres.url, 2 * requestsPerScenario(options));
    const scenarios = buildScenarios(data, run.apiToken).filter(
      (s) => options.routes.length === 0 || options.routes.includes(s.name),
    );
    const measurements: Measurement[] = [];
    for (const latencyMs of options.latencies) {
      await control.clearFaults();
      await control.setFaults({ latencyMs });
      for (const scenario of scenarios) {
        for (const worker of scenario.workers) {
          const served = scenario.servedBy?.[worker] ?? (worker as WorkerName);
          const url = run.workers.get(served)?.url;
          if (!url) continue;
          log(`${latencyMs} ms  ${scenario.label}  ${worker}`);
          measurements.push(await measure(control, url, scenario, worker, latencyMs, options));
        }
      }
    }
    await control.clearFaults();
    let terminated: TerminateRunResult | undefined;
    const template = run.workers.get('template');
    if (options.terminateSeconds > 0 && template) {
      log(
        `${TERMINATE_LATENCY_MS} ms  ${options.terminateConcurrency} concurrent creates for ` +
          `${options.terminateSeconds} s, every session terminated every 1-2 s`,
      );
      await control.setFaults({ latencyMs: TERMINATE_LATENCY_MS });
      terminated = await runTerminateCreates({
        baseUrl: template.url,
        control,
        seconds: options.terminateSeconds,
        concurrency: options.terminateConcurrency,
        gapMs: [1000, 2000],
        makeRequest: terminateCreates(data.listIds[1], run.apiToken),
      });
      await control.clearFaults();
    }
    const targets = judgeTargets(measurements, scenarios, terminated);
    return { machine: describeMachine(), options, measurements, terminated, targets, scenarios };
  } finally {
    await run.close();
  }
}

async function measure(
  control: EndpointControl,
  baseUrl: URL,
  scenario: Scenario,
  worker: string,
  latencyMs: number,
  options: BenchOptions,
): Promise<Measurement> {
  const statuses: Record<string, number> = {};
  const tally = (counts: Record<string, number>) => {
    for (const [status, n] of Object.entries(counts))
      statuses[status] = (statuses[status] ?? 0) + n;
  };
  const load = (requests: number, concurrency: number) =>
    runLoad({ baseUrl, requests, concurrency, makeRequest: scenario.makeRequest });

  tally((await load(options.warmup, 1)).statuses);
  const rps: Record<string, number> = {};
  let latencies: number[] = [];
  let roundTripsPerRequest: number | null = null;
  for (const concurrency of options.concurrencies) {
    // A route without a database costs ~1 ms: more samples for a steady p50 at no real cost.
    const base = scenario.kind === 'none' ? options.requests * 5 : options.requests;
    const requests = concurrency === 1 ? base : Math.max(base, concurrency * 4);
    // Sessions closed in waitUntil may still be sending Terminate: let them finish first.
    await control.waitForIdle();
    await control.resetCounters();
    const result = await load(requests, concurrency);
    tally(result.statuses);
    rps[concurrency] = result.requestsPerSecond;
    if (latencies.length === 0 || concurrency === 1) latencies = result.latenciesMs;
    if (concurrency === 1) {
      const counters = await control.waitForIdle();
      roundTripsPerRequest = scenario.kind === 'none' ? null : counters.roundTrips / requests;
    }
  }
  const failures = Object.entries(statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    route: scenario.name,
    label: scenario.label,
    latencyMs,
    worker,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps,
    roundTripsPerRequest,
    failures,
    statuses,
  };
}

/** Creates for the terminated-sessions run: even ones plain, odd ones with a fresh key. */
function terminateCreates(listId: string, apiToken: string) {
  const run = `t${process.pid.toString(36)}${Date.now().toString(36)}`;
  return (seq: number) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      authorization: `Bearer ${apiToken}`,
    };
    if (seq % 2 === 1) headers['idempotency-key'] = `${run}-${seq}`;
    const body = JSON.stringify({ listId, title: `terminated ${run} ${seq}` });
    return { path: '/todos', init: { method: 'POST', headers, body } };
  };
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      latency: { type: 'string', default: '20,0' },
      requests: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '1,32' },
      warmup: { type: 'string', default: '10' },
      routes: { type: 'string', default: '' },
      'terminate-seconds': { type: 'string', default: '20' },
      'terminate-concurrency': { type: 'string', default: '24' },
      out: { type: 'string', default: 'bench-results/latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);
  const options: BenchOptions = {
    latencies: numbers(values.latency),
    requests: Number(values.requests),
    concurrencies: numbers(values.concurrency),
    warmup: Number(values.warmup),
    routes: values.routes.split(',').filter(Boolean),
    terminateSeconds: Number(values['terminate-seconds']),
    terminateConcurrency: Number(values['terminate-concurrency']),
    out: values.out,
  };
  const all = [
    ...options.latencies,
    ...options.concurrencies,
    options.requests,
    options.warmup,
    options.terminateSeconds,
    options.terminateConcurrency,
  ];
  if (all.some((n) => !Number.isFinite(n) || n < 0) || options.requests < 1) {
    throw new Error(`invalid option\n${USAGE}`);
  }
  return options;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => console.error(`[bench] ${line}`);
  const report = await runBench(options, log);
  printTables(report.measurements, options.concurrencies);
  printSummary(report.measurements, report.scenarios);
  console.log('\nTargets');
  for (const line of formatVerdicts(report.targets)) console.log(line);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(
    options.out,
    `${JSON.stringify({ ...report, scenarios: report.scenarios.map(({ makeRequest, ...s }) => s), finishedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  console.log(`\nwrote ${options.out}`);
  const failures = report.measurements.reduce((sum, m) => sum + m.failures, 0);
  if (failures > 0) {
    console.error(`${failures} requests failed: these figures do not measure the happy path.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
