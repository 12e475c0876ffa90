import type { EndpointControl } from 'local-neon/control';

export interface FaultScheduleOptions {
  /** Time between two injected events. */
  intervalMs: number;
  /** Concurrent sessions the endpoint admits (53300 beyond); null for no cap. */
  connectionCap: number | null;
  /** How long a suspended compute takes to wake (a cold start). */
  coldStartMs: number;
  /** Connection attempts that fail outright while the compute wakes. */
  failCount: number;
}

/** How many of each fault the schedule injected. */
export interface FaultTally {
  coldStarts: number;
  failedWakes: number;
  terminations: number;
  sessionsTerminated: number;
  /** Times the next COMMIT reply on each path (HTTP, WebSocket) was set to be lost. */
  lostReplyFaults: number;
  /** Replies the endpoint actually lost after a commit while the schedule ran. */
  repliesLost: number;
}

/**
 * Injects faults on a fixed rotation until stopped: a cold start (connections wait
 * `coldStartMs`), a session termination (57P01 to every open session and HTTP request), a
 * wake-up that fails `failCount` connection attempts, another termination, and the loss of
 * the next reply after a commit on each path (HTTP and WebSocket); under a constant
 * connection cap.
 */
export function startFaultSchedule(control: EndpointControl, options: FaultScheduleOptions) {
  const tally: FaultTally = {
    coldStarts: 0,
    failedWakes: 0,
    terminations: 0,
    sessionsTerminated: 0,
    lostReplyFaults: 0,
    repliesLost: 0,
  };
  const terminate = async () => {
    tally.sessionsTerminated += await control.terminate();
    tally.terminations += 1;
  };
  const events = [
    async () => {
      await control.setFaults({ suspend: { waitMs: options.coldStartMs } });
      tally.coldStarts += 1;
    },
    terminate,
    async () => {
      await control.setFaults({ suspend: { failCount: options.failCount } });
      tally.failedWakes += 1;
    },
    terminate,
    async () => {
      await control.setFaults({ loseReplies: { http: 1, ws: 1 } });
      tally.lostReplyFaults += 1;
    },
  ];
  let stopped = false;
  let tick = 0;
  let lostBefore = 0;
  const loop = (async () => {
    lostBefore = (await control.counters()).lostReplies;
    await control.setFaults({ connectionCap: options.connectionCap });
    while (!stopped) {
      await new Promise((r) => setTimeout(r, options.intervalMs));
      if (stopped) break;
      await (events[tick++ % events.length] as () => Promise<void>)();
    }
  })();
  // A failed control call must not end the process while traffic runs: stop() rethrows it,
  // after which the caller closes the stack.
  loop.catch(() => {});
  return {
    tally,
    /** Stops injecting, clears every fault, and rethrows a failure of the control API. */
    async stop(): Promise<FaultTally> {
      stopped = true;
      try {
        await loop;
      } finally {
        await control.clearFaults();
      }
      tally.repliesLost = (await control.counters()).lostReplies - lostBefore;
      return tally;
    },
  };
}
