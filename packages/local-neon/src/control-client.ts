import type { EndpointCounters, FaultSettings } from './types.ts';

/** A thin client for the endpoint's control API (`/_local`), used by the bench and chaos runs. */
export class EndpointControl {
  constructor(readonly controlUrl: string) {}

  async counters(): Promise<EndpointCounters> {
    return (await this.call('GET', '/counters')) as EndpointCounters;
  }

  async resetCounters(): Promise<void> {
    await this.call('POST', '/counters/reset');
  }

  async setFaults(faults: FaultSettings): Promise<void> {
    await this.call('POST', '/faults', faults);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }

  async terminate(): Promise<number> {
    const answer = (await this.call('POST', '/terminate')) as { terminated?: number };
    return answer.terminated ?? 0;
  }

  /** A sibling endpoint on a fresh port with its own faults and counters. */
  async createSibling(): Promise<{ port: number; url: string; controlUrl: string }> {
    return (await this.call('POST', '/endpoints')) as {
      port: number;
      url: string;
      controlUrl: string;
    };
  }

  async removeSibling(port: number): Promise<void> {
    await this.call('DELETE', `/endpoints/${port}`);
  }

  /** Waits until no session or HTTP query is open; returns the last counters seen. */
  async waitForIdle(timeoutMs = 10_000): Promise<EndpointCounters> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counters = await this.counters();
      if ((counters.wsOpen === 0 && counters.httpInFlight === 0) || Date.now() > deadline)
        return counters;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.controlUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
