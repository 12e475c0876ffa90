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
}

/**
 * Injects faults on a fixed rotation until stopped: a cold start (connections wait
 * `coldStartMs`), a session termination (57P01 to every open session), a wake-up that fails
 * `failCount` connection attempts, and another termination; under a constant connection cap.
 */
export function startFaultSchedule(control: EndpointControl, options: FaultScheduleOptions) {
  const tally: FaultTally = {
    coldStarts: 0,
    failedWakes: 0,
    terminations: 0,
    sessionsTerminated: 0,
  };
  const events = [
    async () => {
      await control.setFaults({ suspend: { waitMs: options.coldStartMs } });
      tally.coldStarts += 1;
    },
    async () => {
      tally.sessionsTerminated += await control.terminate();
      tally.terminations += 1;
    },
    async () => {
      await control.setFaults({ suspend: { failCount: options.failCount } });
      tally.failedWakes += 1;
    },
    async () => {
      tally.sessionsTerminated += await control.terminate();
      tally.terminations += 1;
    },
  ];
  let stopped = false;
  let tick = 0;
  const loop = (async () => {
    await control.setFaults({ connectionCap: options.connectionCap });
    while (!stopped) {
      await new Promise((r) => setTimeout(r, options.intervalMs));
      if (stopped) break;
      await (events[tick++ % events.length] as () => Promise<void>)();
    }
  })();
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
      return tally;
    },
  };
}
