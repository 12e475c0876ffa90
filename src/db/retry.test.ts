import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectTimeoutError } from '../errors';
import { backOff, backoffDelayMs, type RetryPolicy, replyTimeoutMs, retryTransient } from './retry';

const policy = (deadlineInMs: number): RetryPolicy => ({
  deadlineAt: Date.now() + deadlineInMs,
  connectTimeoutMs: 300,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
});
const transient = () => new Error('connection refused');

describe('backoffDelayMs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('doubles the ceiling per failure up to the max, with full jitter below it', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy(0), n))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoffDelayMs(policy(0), 3)).toBe(0);
  });
});

describe('backOff', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('sleeps the jittered delay and counts it', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const stats = { waitMs: 0 };
    const waiting = backOff(policy(5_000), 2, stats);
    await vi.runAllTimersAsync();
    expect(await waiting).toBe(true);
    expect(stats.waitMs).toBe(100);
  });

  it('refuses, without sleeping, a wait that would end at or past the deadline', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const stats = { waitMs: 0 };
    expect(await backOff(policy(100), 2, stats)).toBe(false);
    expect(await backOff(policy(5_000), 1, stats, 5_000)).toBe(false);
    expect(stats.waitMs).toBe(0);
  });
});

describe('retryTransient', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('gives the first attempt the whole connect timeout even past the deadline', async () => {
    const stats = { attempts: 0, waitMs: 0 };
    const timeouts: number[] = [];
    const result = await retryTransient(
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        return 'ok';
      },
      policy(-1),
      stats,
    );
    expect(result).toBe('ok');
    expect(timeouts).toEqual([300]);
    expect(stats.attempts).toBe(1);
  });

  it('rethrows a permanent failure at once', async () => {
    const stats = { attempts: 0, waitMs: 0 };
    const permanent = Object.assign(new Error('dup'), { code: '23505' });
    await expect(
      retryTransient(() => Promise.reject(permanent), policy(5_000), stats),
    ).rejects.toBe(permanent);
    expect(stats.attempts).toBe(1);
  });

  it('gives up with RetriesExhaustedError when the deadline leaves no room', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const stats = { attempts: 0, waitMs: 0 };
    const running = retryTransient(() => Promise.reject(transient()), policy(500), stats);
    const outcome = running.catch((error: Error) => error);
    await vi.runAllTimersAsync();
    const error = (await outcome) as Error & { attempts: number; cause: Error };
    expect(error.name).toBe('RetriesExhaustedError');
    expect(error.cause.message).toBe('connection refused');
    expect(error.attempts).toBe(stats.attempts);
    expect(stats.attempts).toBeGreaterThan(1);
  });

  it('reports the failure before an attempt the deadline cut short', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const stats = { attempts: 0, waitMs: 0 };
    const running = retryTransient(
      async (timeoutMs) => {
        // The first attempt is refused at once; a later one, given less than the connect timeout
        // because the deadline is near, runs out of it.
        if (timeoutMs === 300) throw Object.assign(new Error('too many'), { code: '53300' });
        await new Promise((resolve) => setTimeout(resolve, timeoutMs));
        throw new ConnectTimeoutError(timeoutMs);
      },
      policy(250),
      stats,
    );
    const outcome = running.catch((error: Error) => error);
    await vi.runAllTimersAsync();
    const error = (await outcome) as Error & { cause: { code?: string } };
    expect(error.name).toBe('RetriesExhaustedError');
    expect(stats.attempts).toBe(2);
    expect(error.cause.code).toBe('53300');
  });

  it('waits at least the base delay after 53300', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const stats = { attempts: 0, waitMs: 0 };
    let calls = 0;
    const running = retryTransient(
      async () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('too many'), { code: '53300' });
        return 'ok';
      },
      policy(5_000),
      stats,
    );
    await vi.runAllTimersAsync();
    expect(await running).toBe('ok');
    expect(stats.waitMs).toBe(100);
  });
});

describe('replyTimeoutMs', () => {
  it('gives each statement its statement timeout, plus one connect timeout of margin', () => {
    const config = { statementTimeoutMs: 500, connectTimeoutMs: 300 };
    expect(replyTimeoutMs(config)).toBe(800);
    expect(replyTimeoutMs(config, 3)).toBe(1_800);
    expect(replyTimeoutMs(config, 3, 100)).toBe(1_600);
  });

  it('imposes none when statement_timeout is 0 (off)', () => {
    expect(replyTimeoutMs({ statementTimeoutMs: 0, connectTimeoutMs: 300 }, 3)).toBeUndefined();
  });
});
