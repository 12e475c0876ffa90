import { type Client, type NeonQueryFunction, neon, neonConfig } from '@neondatabase/serverless';
import type { AppConfig } from '../config';
import { isLoopbackHost } from '../database-url';

let httpRoutingInstalled = false;

// `fetchEndpoint` is global in the driver, so it is installed once and decides per host.
function installLocalHttpRouting(): void {
  if (httpRoutingInstalled) return;
  httpRoutingInstalled = true;
  const neonDefault = neonConfig.fetchEndpoint;
  neonConfig.fetchEndpoint = (host, port, options) =>
    isLoopbackHost(host)
      ? `http://${host}:${port}/sql`
      : typeof neonDefault === 'function'
        ? neonDefault(host, port, options)
        : neonDefault;
}

/** Points the driver at the local endpoint for a loopback `DATABASE_URL`; remote hosts keep TLS. */
export function applyDriverSettings(config: AppConfig, client?: Client): void {
  if (!config.isLocal) return;
  installLocalHttpRouting();
  if (!client) return;
  client.neonConfig.wsProxy = (host, port) => `${host}:${port}/v2`;
  client.neonConfig.useSecureWebSocket = false;
  client.neonConfig.pipelineTLS = false;
}

/** The HTTP driver's query function for `DATABASE_URL`, with {@link applyDriverSettings} applied. */
export function httpSql(config: AppConfig): NeonQueryFunction<false, false> {
  applyDriverSettings(config);
  return neon(config.databaseUrl);
}
