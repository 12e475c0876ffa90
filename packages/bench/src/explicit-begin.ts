import type { Client } from '@neondatabase/serverless';

/**
 * The driver keeps working, but its in-flight query is no longer where the pipelined-BEGIN hook
 * looks, so the template opens each transaction with an explicit BEGIN (k + 3 round trips).
 * Passed as the transaction middleware's `prepareClient` by the `template-explicit` Worker.
 */
export function hideActiveQuery(client: Client): void {
  const internals = client as unknown as Record<symbol, unknown>;
  const slot = Symbol('active query');
  Object.defineProperty(internals, 'activeQuery', {
    get: () => internals[slot],
    set: (query: unknown) => {
      internals[slot] = query;
    },
  });
}
