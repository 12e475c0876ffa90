import type { AppConfig } from '../config';
import { ConnectTimeoutError, ReplyTimeoutError, RetriesExhaustedError } from '../errors';
import { classifyDatabaseError, isTransientError } from './classify-error';

/** How long to keep trying (`deadlineAt`, epoch ms), and how to wait between tries. */
export type RetryPolicy = {
  deadlineAt: number;
  connectTimeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

/** Counters a retry loop reports into (the request trace). */
export type RetryStats = { attempts: number; waitMs: number };

/**
 * How long to wait for the reply to `statements` statements: statement_timeout each (Postgres
 * bounds each one), plus the connect timeout as a network margin, so Postgres normally answers
 * 57014 first; `undefined` when statement_timeout is 0 (off): the client imposes none either.
 */
export function replyTimeoutMs(
  config: Pick<AppConfig, 'statementTimeoutMs' | 'connectTimeoutMs'>,
  statements = 1,
  connectMs = config.connectTimeoutMs,
): number | undefined {
  return config.statementTimeoutMs > 0
    ? connectMs + config.statementTimeoutMs * statements
    : undefined;
}

/** `promise`, or `timeoutError` (after `onTimeout`) if it takes longer than `timeoutMs`. */
export function withinReplyTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number | undefined,
  onTimeout: () => void = () => {},
  timeoutError: (ms: number) => Error = (ms) => new ReplyTimeoutError(ms),
): Promise<T> {
  if (timeoutMs === undefined) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(timeoutError(timeoutMs));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The retry policy for a request that started at `startedAt`. */
export function retryPolicyFor(config: AppConfig, startedAt: number): RetryPolicy {
  return {
    deadlineAt: startedAt + config.retryDeadlineMs,
    connectTimeoutMs: config.connectTimeoutMs,
    baseDelayMs: config.retryBaseDelayMs,
    maxDelayMs: config.retryMaxDelayMs,
  };
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));
  return Math.floor(Math.random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps the backoff (at least `floorMs`) into `stats`; false if the next try would miss the deadline. */
export async function backOff(
  policy: RetryPolicy,
  failedAttempts: number,
  stats: Pick<RetryStats, 'waitMs'>,
  floorMs = 0,
): Promise<boolean> {
  const waitMs = Math.max(backoffDelayMs(policy, failedAttempts), floorMs);
  if (Date.now() + waitMs >= policy.deadlineAt) return false;
  stats.waitMs += waitMs;
  await sleep(waitMs);
  return true;
}

/** Runs `attempt` until it succeeds, fails permanently, or the deadline leaves no room. */
export async function retryTransient<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  policy: RetryPolicy,
  stats: RetryStats,
): Promise<T> {
  let lastError: unknown;
  for (let tries = 1; ; tries++) {
    // The first attempt always gets the whole connect timeout: a request that spent the deadline
    // on its own work before its first query has not tried the database yet.
    const leftMs = policy.deadlineAt - Date.now();
    const timeoutMs =
      tries === 1 ? policy.connectTimeoutMs : Math.min(policy.connectTimeoutMs, leftMs);
    if (timeoutMs <= 0) throw new RetriesExhaustedError(tries - 1, lastError);
    stats.attempts += 1;
    try {
      return await attempt(timeoutMs);
    } catch (error) {
      if (!isTransientError(error)) throw error;
      // An attempt the deadline cut short says less about the database than the failure before it
      // (a 53300 must not be reported as a timeout of a few ms).
      const cutShort = error instanceof ConnectTimeoutError && timeoutMs < policy.connectTimeoutMs;
      if (!cutShort || lastError === undefined) lastError = error;
      // A 53300 (too many connections) waits at least the base delay: the server is busy, not asleep.
      const busy = classifyDatabaseError(error).kind === 'too_many_connections';
      if (!(await backOff(policy, tries, stats, busy ? policy.baseDelayMs : 0))) {
        throw new RetriesExhaustedError(tries, lastError);
      }
    }
  }
}
