import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { handleControlRequest } from './control-api.ts';
import { CounterSet } from './counters.ts';
import { FaultController } from './faults.ts';
import { sendJson } from './http-util.ts';
import { handleSqlRequest } from './sql-api.ts';
import { terminateSessions } from './terminate-sessions.ts';
import type { NeonEndpoint, NeonEndpointOptions } from './types.ts';
import { UpstreamPools } from './upstream-pool.ts';
import { WsSession } from './ws-session.ts';

export type {
  EndpointCounters,
  FaultSettings,
  NeonEndpoint,
  NeonEndpointOptions,
} from './types.ts';

const DEFAULT_PORT = 4444;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Starts a local stand-in for Neon's proxy in front of a real PostgreSQL: the driver's HTTP
 * `/sql` API, its WebSocket transport (raw wire protocol, relayed only to `upstream`), fault
 * injection and round-trip counters, plus the `/_local` control API on the same port.
 * @example const endpoint = await startNeonEndpoint({ port: 0, upstream: { host, port } });
 */
export async function startNeonEndpoint(options: NeonEndpointOptions): Promise<NeonEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const upstream = { ...options.upstream };
  const log = options.log ?? (() => {});
  const counters = new CounterSet();
  const faults = new FaultController();
  const pools = new UpstreamPools(upstream, log);
  const sessions = new Set<WsSession>();
  const siblings = new Map<number, NeonEndpoint>();
  const server = createServer();
  const webSockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sqlContext = {
    faults,
    counters,
    pools,
    log,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  let nextSessionId = 1;
  let closing: Promise<void> | undefined;

  server.on('request', (request, response) => {
    const isControl = request.url?.startsWith('/_local') ?? false;
    const handled = isControl
      ? handleControlRequest(request, response, controlContext)
      : handleSqlRequest(request, response, sqlContext);
    handled.catch(() => sendJson(response, 500, { message: 'internal error' }));
  });

  server.on('upgrade', (request, socket, head) => {
    counters.countUpgradeRequest();
    socket.on('error', () => socket.destroy());
    void faults.delay().then(() => {
      if (closing) return socket.destroy();
      webSockets.handleUpgrade(request, socket, head, (ws) => {
        if (closing) return ws.terminate();
        const session = new WsSession(ws, { upstream, faults, counters, log }, nextSessionId++);
        sessions.add(session);
        void session.closed.then(() => sessions.delete(session));
      });
    });
  });

  async function shutdown(): Promise<void> {
    faults.clear();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const session of sessions) session.destroy();
    await Promise.all([...sessions].map((session) => session.closed));
    await Promise.all([...siblings.values()].map((sibling) => sibling.close()));
    siblings.clear();
    webSockets.close();
    await pools.closeAll();
    await serverClosed;
  }

  await listen(server, options.port ?? DEFAULT_PORT, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`local Neon endpoint on ${url} -> ${upstream.host}:${upstream.port}`);

  const endpoint: NeonEndpoint = {
    url,
    host,
    port,
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    setFaults: (settings) => {
      faults.merge(settings);
      log(`faults set: ${JSON.stringify(settings)}`);
    },
    clearFaults: () => {
      faults.clear();
      log('faults cleared');
    },
    terminateAll: () =>
      terminateSessions(
        [...sessions].filter((session) => session.active),
        upstream,
        log,
      ),
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
  const controlContext = {
    endpoint,
    siblings,
    async startSibling() {
      const sibling = await startNeonEndpoint({ ...options, host, port: 0 });
      siblings.set(sibling.port, sibling);
      return sibling;
    },
  };
  return endpoint;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
