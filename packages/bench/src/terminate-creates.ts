import type { EndpointControl } from 'local-neon/control';
import { type RequestFactory, sendOne } from './load.ts';

export interface TerminateRunOptions {
  baseUrl: URL;
  control: EndpointControl;
  /** How long the creates keep coming. */
  seconds: number;
  concurrency: number;
  /** Time between two terminations, drawn uniformly from this range. */
  gapMs: [number, number];
  /** Even sequence numbers create without a key, odd ones with a fresh Idempotency-Key. */
  makeRequest: RequestFactory;
}

/** What the creates answered while every session was being terminated. */
export interface TerminateRunResult {
  seconds: number;
  concurrency: number;
  creates: number;
  /** Answers by status (0: no answer), all creates. */
  statuses: Record<string, number>;
  /** 503 answers per kind of create. */
  unavailable: { plain: number; keyed: number };
  sent: { plain: number; keyed: number };
  terminations: number;
  /** Sessions and HTTP requests the terminations ended. */
  terminated: number;
}

/**
 * Sends creates at a fixed concurrency for `seconds` while the endpoint terminates every
 * session and HTTP request in flight (57P01) every 1–2 s, and counts what the creates answered.
 * No client retry: a 503 here is one a user would see.
 */
export async function runTerminateCreates(
  options: TerminateRunOptions,
): Promise<TerminateRunResult> {
  const result: TerminateRunResult = {
    seconds: options.seconds,
    concurrency: options.concurrency,
    creates: 0,
    statuses: {},
    unavailable: { plain: 0, keyed: 0 },
    sent: { plain: 0, keyed: 0 },
    terminations: 0,
    terminated: 0,
  };
  const deadline = performance.now() + options.seconds * 1000;
  let next = 0;
  let sending = true;

  const lane = async () => {
    while (performance.now() < deadline) {
      const seq = next++;
      const kind = seq % 2 === 0 ? 'plain' : 'keyed';
      const sample = await sendOne(
        { baseUrl: options.baseUrl, makeRequest: options.makeRequest },
        seq,
      );
      result.creates += 1;
      result.sent[kind] += 1;
      result.statuses[sample.status] = (result.statuses[sample.status] ?? 0) + 1;
      if (sample.status === 503) result.unavailable[kind] += 1;
    }
  };
  const terminator = async () => {
    const [min, max] = options.gapMs;
    while (sending) {
      await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
      if (!sending) break;
      result.terminated += await options.control.terminate();
      result.terminations += 1;
    }
  };

  const terminating = terminator();
  // Rethrown below once the lanes are done, so a failed terminate cannot skip the caller's cleanup.
  terminating.catch(() => {});
  try {
    await Promise.all(Array.from({ length: options.concurrency }, lane));
  } finally {
    sending = false;
    await terminating;
  }
  return result;
}

/** Share of creates answered 503, in percent. */
export function unavailablePercent(result: TerminateRunResult): number {
  const total = result.sent.plain + result.sent.keyed;
  return total === 0 ? 0 : ((result.unavailable.plain + result.unavailable.keyed) / total) * 100;
}
