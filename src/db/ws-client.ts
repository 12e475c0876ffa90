import type { Client } from '@neondatabase/serverless';
import { withinReplyTimeout } from './retry';

// Bounds the wait for a polite close; a socket that does not close goes with the request.
const CLOSE_TIMEOUT_MS = 2_000;

type SocketInternals = { connection: { stream: { destroy(): void } } };

/** Closes the WebSocket at once, without a Terminate message (saves a round trip after COMMIT). */
export function dropClient(client: Client): void {
  try {
    (client as unknown as SocketInternals).connection.stream.destroy();
  } catch {
    // Already closed.
  }
}

/** Sends Terminate (Postgres rolls back), then closes. */
export async function endClient(client: Client): Promise<void> {
  // Coalesced, the Terminate would be sent after close ("Can't call WebSocket send() after close()").
  client.neonConfig.coalesceWrites = false;
  await withinReplyTimeout(client.end(), CLOSE_TIMEOUT_MS).catch(() => {});
  dropClient(client);
}
