import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalRun } from '@neon-workers-template/bench/local-run';
import { EndpointControl } from 'local-neon/control';
import pg from 'pg';
import { type FaultTally, startFaultSchedule } from './fault-schedule.ts';
import {
  type ConnectionFigures,
  checkConnections,
  checkData,
  checkResponses,
  type DataFigures,
  problemCode,
  type Violation,
} from './invariants.ts';
import { planOperations, seedChaosData } from './operations.ts';
import { sendTraffic } from './traffic.ts';

export interface ChaosOptions {
  requests: number;
  concurrency: number;
  retries: number;
  faultIntervalMs: number;
  connectionCap: number | null;
  coldStartMs: number;
  failCount: number;
  timeoutMs: number;
  deadlineMs: number;
  seed: number;
}

/** A running template Worker and the stack behind it. */
export interface ChaosTarget {
  baseUrl: URL;
  control: EndpointControl;
  postgresUrl: string;
  apiToken: string;
  /** The Worker's application_name in pg_stat_activity (its APP_NAME binding). */
  applicationName: string;
  /** True when nobody else uses this Postgres, so any busy backend is a leak. */
  exclusive: boolean;
}

export interface ChaosReport {
  sent: number;
  notSent: number;
  attempts: number;
  wallMs: number;
  statuses: Record<string, number>;
  problemCodes: Record<string, number>;
  faults: FaultTally;
  data: DataFigures;
  connections: ConnectionFigures;
  violations: Violation[];
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  requests: 5_000,
  concurrency: 32,
  retries: 1,
  faultIntervalMs: 250,
  connectionCap: 16,
  coldStartMs: 400,
  failCount: 3,
  timeoutMs: 30_000,
  deadlineMs: 240_000,
  seed: 1,
};

/** Sends a mixed load through injected faults, then checks that nothing was lost or leaked. */
export async function runChaos(
  target: ChaosTarget,
  options: ChaosOptions,
  log: (line: string) => void = () => {},
): Promise<ChaosReport> {
  const data = await seedChaosData(target.postgresUrl, options.requests);
  const operations = planOperations(data, options.requests, options.seed);
  await target.control.clearFaults();
  log(`sending ${options.requests} requests at concurrency ${options.concurrency} under faults`);
  const started = performance.now();
  const schedule = startFaultSchedule(target.control, {
    intervalMs: options.faultIntervalMs,
    connectionCap: options.connectionCap,
    coldStartMs: options.coldStartMs,
    failCount: options.failCount,
  });
  let outcomes: Awaited<ReturnType<typeof sendTraffic>>;
  try {
    outcomes = await sendTraffic({
      ...options,
      baseUrl: target.baseUrl,
      operations,
      apiToken: target.apiToken,
    });
  } finally {
    await schedule.stop();
  }
  const wallMs = performance.now() - started;
  log('checking the database and the connections');

  const client = new pg.Client({ connectionString: target.postgresUrl });
  await client.connect();
  try {
    const responses = checkResponses(outcomes);
    const data_ = await checkData(outcomes, data, client);
    const connections = await checkConnections(target.control, client, target.applicationName, {
      exclusive: target.exclusive,
      settleMs: 10_000,
    });
    const statuses: Record<string, number> = {};
    const problemCodes: Record<string, number> = {};
    for (const sample of outcomes.flatMap((o) => o.attempts)) {
      statuses[sample.status] = (statuses[sample.status] ?? 0) + 1;
      const code = sample.status >= 300 ? problemCode(sample) : undefined;
      if (code) problemCodes[code] = (problemCodes[code] ?? 0) + 1;
    }
    return {
      sent: outcomes.length,
      notSent: operations.length - outcomes.length,
      attempts: outcomes.reduce((sum, o) => sum + o.attempts.length, 0),
      wallMs,
      statuses,
      problemCodes,
      faults: schedule.tally,
      data: data_.figures,
      connections: connections.figures,
      violations: [...responses, ...data_.violations, ...connections.violations],
    };
  } finally {
    await client.end();
  }
}

/** The figures a person reads after a run, one per line. */
function formatChaosReport(report: ChaosReport): string[] {
  const byInvariant = new Map<string, Violation[]>();
  for (const v of report.violations) {
    byInvariant.set(v.invariant, [...(byInvariant.get(v.invariant) ?? []), v]);
  }
  const lines = [
    `requests sent ${report.sent} (not sent before the deadline: ${report.notSent}), attempts ${report.attempts}, ${(report.wallMs / 1000).toFixed(1)} s`,
    `statuses ${JSON.stringify(report.statuses)}`,
    `problem codes ${JSON.stringify(report.problemCodes)}`,
    `faults injected ${JSON.stringify(report.faults)}`,
    `writes: acknowledged ${report.data.acknowledgedWrites}, refused by design ${report.data.refusedWrites}, failed ${report.data.failedWrites}, outcome unknown ${report.data.outcomeUnknownWrites} (of which committed ${report.data.outcomeUnknownPresent})`,
    `left open: ${JSON.stringify(report.connections)}`,
    report.violations.length === 0
      ? 'invariants: all hold'
      : `invariants: ${report.violations.length} violations`,
  ];
  for (const [invariant, list] of byInvariant) {
    lines.push(`  FAIL ${invariant}: ${list.length}`);
    for (const v of list.slice(0, 5)) lines.push(`       ${v.detail}`);
  }
  return lines;
}

function parseOptions(argv: string[]): ChaosOptions {
  const d = DEFAULT_CHAOS_OPTIONS;
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: String(d.requests) },
      concurrency: { type: 'string', default: String(d.concurrency) },
      retries: { type: 'string', default: String(d.retries) },
      'fault-interval': { type: 'string', default: String(d.faultIntervalMs) },
      'connection-cap': { type: 'string', default: String(d.connectionCap) },
      'cold-start': { type: 'string', default: String(d.coldStartMs) },
      'fail-count': { type: 'string', default: String(d.failCount) },
      'max-seconds': { type: 'string', default: String(d.deadlineMs / 1000) },
      seed: { type: 'string', default: String(d.seed) },
    },
  });
  const options: ChaosOptions = {
    ...d,
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    retries: Number(values.retries),
    faultIntervalMs: Number(values['fault-interval']),
    connectionCap: values['connection-cap'] === 'none' ? null : Number(values['connection-cap']),
    coldStartMs: Number(values['cold-start']),
    failCount: Number(values['fail-count']),
    deadlineMs: Number(values['max-seconds']) * 1000,
    seed: Number(values.seed),
  };
  const numbers = Object.values(options).filter((v) => v !== null);
  if (numbers.some((n) => !Number.isFinite(n) || n < 0) || options.concurrency < 1) {
    throw new Error(
      'usage: npm run chaos -- [--requests 5000] [--concurrency 32] [--retries 1] [--fault-interval 250] [--connection-cap 16|none] [--cold-start 400] [--fail-count 3] [--max-seconds 240] [--seed 1]',
    );
  }
  return options;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => console.error(`[chaos] ${line}`);
  const applicationName = `chaos-${process.pid}`;
  const run = await startLocalRun({
    name: 'chaos',
    workers: ['template'],
    log,
    bindings: { APP_NAME: applicationName },
    logDir: '.local/chaos-logs',
  });
  let report: ChaosReport;
  try {
    const worker = run.workers.get('template');
    if (!worker) throw new Error('the template Worker did not start');
    report = await runChaos(
      {
        baseUrl: worker.url,
        control: new EndpointControl(run.stack.controlUrl),
        postgresUrl: run.stack.postgres.url,
        apiToken: run.apiToken,
        applicationName,
        exclusive: true,
      },
      options,
      log,
    );
  } finally {
    await run.close();
  }
  for (const line of formatChaosReport(report)) console.log(line);
  if (report.violations.length > 0 || report.notSent > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
