/** One request to send: the load generator calls this with a sequence number. */
export type RequestFactory = (seq: number) => { path: string; init?: RequestInit };

export interface LoadOptions {
  baseUrl: URL;
  requests: number;
  concurrency: number;
  makeRequest: RequestFactory;
  /** Abort a request still unanswered after this long; it is recorded with status 0. */
  timeoutMs?: number;
  /** Called with every answer, for callers that check bodies (e.g. the chaos run). */
  onResponse?: (sample: ResponseSample) => void;
}

export interface ResponseSample {
  seq: number;
  status: number;
  ms: number;
  contentType: string;
  body: string;
  /** Set when no HTTP answer arrived (refused, reset, timed out). */
  error?: string;
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
  wallMs: number;
  requestsPerSecond: number;
}

/** Sends `requests` requests, at most `concurrency` at a time, and times each one. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();

  async function worker() {
    while (next < options.requests) {
      const seq = next++;
      const sample = await sendOne(options, seq);
      latenciesMs.push(sample.ms);
      statuses[sample.status] = (statuses[sample.status] ?? 0) + 1;
      options.onResponse?.(sample);
    }
  }

  const lanes = Math.max(1, Math.min(options.concurrency, options.requests));
  await Promise.all(Array.from({ length: lanes }, worker));
  const wallMs = performance.now() - started;
  return {
    latenciesMs,
    statuses,
    wallMs,
    requestsPerSecond: (latenciesMs.length / wallMs) * 1000,
  };
}

/** Sends one request and reads its whole answer; never throws (no answer is status 0). */
export async function sendOne(
  options: Pick<LoadOptions, 'baseUrl' | 'makeRequest' | 'timeoutMs'>,
  seq: number,
): Promise<ResponseSample> {
  const { path, init } = options.makeRequest(seq);
  const t0 = performance.now();
  try {
    const response = await fetch(new URL(path, options.baseUrl), {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const body = await response.text();
    return {
      seq,
      status: response.status,
      ms: performance.now() - t0,
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { seq, status: 0, ms: performance.now() - t0, contentType: '', body: '', error: reason };
  }
}

/** The value below which `p` percent of the samples fall (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}
