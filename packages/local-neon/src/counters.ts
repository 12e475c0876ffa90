import type { EndpointCounters } from './types.ts';

const ZERO: EndpointCounters = {
  wsOpen: 0,
  wsTotal: 0,
  httpInFlight: 0,
  httpRequests: 0,
  httpQueries: 0,
  roundTrips: 0,
  lostReplies: 0,
  delayedRoundTrips: 0,
  heldArrivals: 0,
  frozenBackends: 0,
};

/** The mutable counters behind `NeonEndpoint.counters()`; see `EndpointCounters` for definitions. */
export class CounterSet {
  private values: EndpointCounters = { ...ZERO };

  snapshot(): EndpointCounters {
    return { ...this.values };
  }

  /** Zeroes the totals; what is open right now (sessions, requests in flight) stays counted. */
  reset(): void {
    const { wsOpen, httpInFlight } = this.values;
    this.values = { ...ZERO, wsOpen, httpInFlight };
  }

  countUpgradeRequest(): void {
    this.values.roundTrips += 1;
  }

  countWsOpened(): void {
    this.values.wsOpen += 1;
    this.values.wsTotal += 1;
  }

  countWsClosed(): void {
    this.values.wsOpen -= 1;
  }

  countWsBurst(): void {
    this.values.roundTrips += 1;
  }

  countHttpStarted(): void {
    this.values.httpRequests += 1;
    this.values.httpInFlight += 1;
    this.values.roundTrips += 1;
  }

  countHttpFinished(): void {
    this.values.httpInFlight -= 1;
  }

  countHttpQueries(statements: number): void {
    this.values.httpQueries += statements;
  }

  countLostReply(): void {
    this.values.lostReplies += 1;
  }

  countDelayedRoundTrip(): void {
    this.values.delayedRoundTrips += 1;
  }

  countHeldArrival(): void {
    this.values.heldArrivals += 1;
  }

  countFrozenBackend(): void {
    this.values.frozenBackends += 1;
  }
}
