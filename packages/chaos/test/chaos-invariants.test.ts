import { randomBytes } from 'node:crypto';
import { type RunningWorker, startWorker } from '@neon-workers-template/bench/worker-runner';
import { EndpointControl } from 'local-neon/control';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ChaosReport, DEFAULT_CHAOS_OPTIONS, runChaos } from '../src/run.ts';

// The chaos run of `npm run chaos` at a small size, on a sibling endpoint of its own so its
// faults reach no other test file. It asserts invariants only, never a time.
describe('npm run chaos', () => {
  const apiToken = randomBytes(16).toString('hex');
  const applicationName = `chaos-test-${process.pid}`;
  const main = new EndpointControl(inject('controlUrl'));
  let sibling: { port: number; controlUrl: string } | undefined;
  let worker: RunningWorker | undefined;
  let report: ChaosReport;

  beforeAll(async () => {
    sibling = await main.createSibling();
    const databaseUrl = new URL(inject('databaseUrl'));
    databaseUrl.port = String(sibling.port);
    worker = await startWorker({
      name: 'template',
      entry: 'src/index.ts',
      outDir: `.local/chaos-test-build-${process.pid}`,
      bindings: { DATABASE_URL: databaseUrl.href, API_TOKEN: apiToken, APP_NAME: applicationName },
    });
    report = await runChaos(
      {
        baseUrl: worker.url,
        control: new EndpointControl(sibling.controlUrl),
        postgresUrl: inject('postgresUrl'),
        apiToken,
        applicationName,
        exclusive: false,
      },
      {
        ...DEFAULT_CHAOS_OPTIONS,
        requests: 200,
        concurrency: 8,
        faultIntervalMs: 150,
        coldStartMs: 200,
      },
    );
  }, 180_000);

  afterAll(async () => {
    await worker?.dispose();
    if (sibling) await main.removeSibling(sibling.port);
  });

  it('injected cold starts, terminations, lost replies and a connection cap while it ran', () => {
    expect(report.notSent).toBe(0);
    expect(report.faults.coldStarts).toBeGreaterThan(0);
    expect(report.faults.terminations).toBeGreaterThan(0);
    expect(report.faults.lostReplyFaults).toBeGreaterThan(0);
  });

  it('keeps every acknowledged write exactly once and leaves nothing of a failed one', () => {
    expect(report.data.acknowledgedWrites).toBeGreaterThan(0);
    expect(report.violations.filter((v) => /write/.test(v.invariant))).toEqual([]);
  });

  it('answers every request, and every error as problem+json with a code', () => {
    expect(
      report.violations.filter((v) => /answered|problem\+json|readable/.test(v.invariant)),
    ).toEqual([]);
  });

  it('leaves no connection open at the endpoint or in PostgreSQL', () => {
    expect(report.connections).toEqual({
      wsOpen: 0,
      httpInFlight: 0,
      workerBackends: 0,
      otherBusyBackends: 0,
    });
    expect(report.violations).toEqual([]);
  });
});
