import { Client, neonConfig } from '@neondatabase/serverless';
import ws from 'ws';

/**
 * Routes the driver's HTTP queries for every host to `http://host:port/sql`. The driver only
 * allows `fetchEndpoint` globally, so this is for Node tools and tests that talk to local
 * endpoints only; the Worker decides per host in src/db/driver-settings.ts.
 */
export function routeHttpToLocalEndpoints(): void {
  neonConfig.fetchEndpoint = (host, port) => `http://${host}:${port}/sql`;
}

/** A WebSocket `Client` (not connected yet) with the local settings set on this instance only. */
export function createLocalClient(connectionString: string): Client {
  const client = new Client(connectionString);
  client.neonConfig.webSocketConstructor = ws;
  client.neonConfig.wsProxy = (host, port) => `${host}:${port}/v2`;
  client.neonConfig.useSecureWebSocket = false;
  client.neonConfig.pipelineTLS = false;
  return client;
}
