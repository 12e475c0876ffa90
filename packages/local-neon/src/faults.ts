import { setTimeout as sleep } from 'node:timers/promises';
import type { CounterSet } from './counters.ts';
import type { FailCount, FaultSettings } from './types.ts';

/** What happens to a new connection attempt (a WebSocket session or an HTTP request). */
export type AdmitVerdict = 'admitted' | 'compute-unavailable' | 'too-many-clients';

/** The two ways a client hears that its commit happened. */
export type ReplyPath = 'http' | 'ws';

interface PendingWake {
  promise: Promise<void>;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** The injected faults of one endpoint, and the sessions they count against the cap. */
export class FaultController {
  private latencyMs = 0;
  private waitMs = 0;
  private asleep = false;
  private failuresLeft: FailCount = 0;
  private lostRepliesLeft: Record<ReplyPath, FailCount> = { http: 0, ws: 0 };
  private cap: number | null = null;
  private pendingWake: PendingWake | undefined;
  private activeSessions = 0;
  private freezing = false;
  private readonly frozenPids = new Set<number>();

  constructor(private readonly counters: CounterSet) {}

  merge(faults: FaultSettings): void {
    if (faults.latencyMs !== undefined) this.latencyMs = faults.latencyMs;
    if (faults.connectionCap !== undefined) this.cap = faults.connectionCap;
    const lose = faults.loseReplies;
    if (lose?.http !== undefined) this.lostRepliesLeft.http = lose.http;
    if (lose?.ws !== undefined) this.lostRepliesLeft.ws = lose.ws;
    if (faults.freezeBackends !== undefined) {
      this.freezing = faults.freezeBackends;
      if (!this.freezing) this.thaw();
    }
    const suspend = faults.suspend;
    if (suspend?.failCount !== undefined) this.failuresLeft = suspend.failCount;
    if (suspend?.waitMs !== undefined) {
      // A new waitMs re-arms the sleep: whoever waits for the old wake-up goes through now.
      this.wakeUp();
      this.waitMs = suspend.waitMs;
      this.asleep = suspend.waitMs > 0;
    }
  }

  clear(): void {
    this.latencyMs = 0;
    this.failuresLeft = 0;
    this.lostRepliesLeft = { http: 0, ws: 0 };
    this.cap = null;
    this.waitMs = 0;
    this.asleep = false;
    this.wakeUp();
    this.freezing = false;
    this.thaw();
  }

  /** True while `freezeBackends` is set. */
  get freezeRequested(): boolean {
    return this.freezing;
  }

  /** Stops the backend `pid` if `freezeBackends` is set; it resumes when the fault is lifted. */
  freezeIfAsked(pid: number): void {
    if (!this.freezing || this.frozenPids.has(pid)) return;
    try {
      process.kill(pid, 'SIGSTOP');
      this.frozenPids.add(pid);
      this.counters.countFrozenBackend();
    } catch {
      // Not ours to signal (a remote PostgreSQL, another user): the session runs unfrozen.
    }
  }

  private thaw(): void {
    for (const pid of this.frozenPids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone already (terminated, or the server stopped): nothing left to resume.
      }
    }
    this.frozenPids.clear();
  }

  /** Waits the injected latency of one round trip. */
  async delay(): Promise<void> {
    await this.delayBy(this.latencyMs);
  }

  /** The latency to add to one round trip, read when the round trip starts. */
  get latency(): number {
    return this.latencyMs;
  }

  /** Waits `latencyMs` read earlier, when its round trip started (a WebSocket burst). */
  async delayBy(latencyMs: number): Promise<void> {
    if (latencyMs <= 0) return;
    this.counters.countDelayedRoundTrip();
    await sleep(latencyMs);
  }

  /** Applies failCount, then the suspend wait, then the cap; an admitted caller must `release()`. */
  async admit(): Promise<AdmitVerdict> {
    if (this.takeFailure()) return 'compute-unavailable';
    if (this.asleep) {
      this.counters.countHeldArrival();
      await this.waitForWake();
    }
    if (this.cap !== null && this.activeSessions >= this.cap) return 'too-many-clients';
    this.activeSessions += 1;
    return 'admitted';
  }

  release(): void {
    this.activeSessions -= 1;
  }

  /** Whether the reply to a commit that just happened on `path` is to be lost; counts it down. */
  takeLostReply(path: ReplyPath): boolean {
    const left = this.lostRepliesLeft[path];
    if (left === 'forever') return true;
    if (left <= 0) return false;
    this.lostRepliesLeft[path] = left - 1;
    return true;
  }

  private takeFailure(): boolean {
    if (this.failuresLeft === 'forever') return true;
    if (this.failuresLeft <= 0) return false;
    this.failuresLeft -= 1;
    return true;
  }

  private waitForWake(): Promise<void> {
    if (!this.pendingWake) {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      const timer = setTimeout(() => this.wakeUp(), this.waitMs);
      this.pendingWake = { promise, resolve, timer };
    }
    return this.pendingWake.promise;
  }

  private wakeUp(): void {
    const pending = this.pendingWake;
    if (this.asleep && pending) this.asleep = false;
    this.pendingWake = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
  }
}
