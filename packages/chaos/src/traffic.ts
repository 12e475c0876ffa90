import { type ResponseSample, sendOne } from '@neon-workers-template/bench/load';
import { type Operation, toRequest } from './operations.ts';

export interface TrafficOptions {
  baseUrl: URL;
  operations: Operation[];
  apiToken: string;
  concurrency: number;
  /** Extra attempts for a create answered 503 or not at all, with the same Idempotency-Key. */
  retries: number;
  timeoutMs: number;
  /** Stop sending new operations after this long; unsent ones are reported, not checked. */
  deadlineMs: number;
}

/** Every attempt made for one planned operation, in order. */
export interface OperationOutcome {
  seq: number;
  op: Operation;
  attempts: ResponseSample[];
}

const RETRY_DELAY_MS = 50;

/** Sends the planned operations at the given concurrency, retrying creates as a careful client does. */
export async function sendTraffic(options: TrafficOptions): Promise<OperationOutcome[]> {
  const makeRequest = toRequest(options.operations, options.apiToken);
  const outcomes: OperationOutcome[] = [];
  const stopAt = Date.now() + options.deadlineMs;
  let next = 0;

  async function lane() {
    while (next < options.operations.length && Date.now() < stopAt) {
      const seq = next++;
      const op = options.operations[seq] as Operation;
      const attempts: ResponseSample[] = [];
      for (let attempt = 0; attempt <= (op.kind === 'create' ? options.retries : 0); attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
        const sample = await sendOne(
          { baseUrl: options.baseUrl, makeRequest, timeoutMs: options.timeoutMs },
          seq,
        );
        attempts.push(sample);
        if (sample.status !== 503 && sample.status !== 0) break;
      }
      outcomes.push({ seq, op, attempts });
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return outcomes.sort((a, b) => a.seq - b.seq);
}
