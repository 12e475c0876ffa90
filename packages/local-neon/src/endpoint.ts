import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { handleControlRequest } from './control-api.ts';
import { CounterSet } from './counters.ts';
import { FaultController } from './faults.ts';
import { sendJson } from './http-util.ts';
import { refusalReason } from './request-guard.ts';
import { handleSqlRequest } from './sql-api.ts';
import { SqlRequestError } from './sql-request.ts';
import { terminateSessions, type UpstreamBackend } from './terminate-sessions.ts';
import type { NeonEndpoint, NeonEndpointOptions } from './types.ts';
import { UpstreamPools } from './upstream-pool.ts';
import { WsSession } from './ws-session.ts';

const DEFAULT_PORT = 4444;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_SIBLINGS = 32;
const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

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
  const faults = new FaultController(counters);
  const connectTimeoutMs = options.upstreamConnectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS;
  const pools = new UpstreamPools(upstream, connectTimeoutMs, log);
  const sessions = new Set<WsSession>();
  const busyBackends = new Set<UpstreamBackend>();
  const siblings = new Map<number, NeonEndpoint>();
  const startingSiblings = new Set<Promise<NeonEndpoint>>();
  const server = createServer();
  const webSockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sqlContext = {
    faults,
    counters,
    pools,
    busyBackends,
    log,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  let nextSessionId = 1;
  let closing: Promise<void> | undefined;

  server.on('request', (request, response) => {
    const refusal = refusalReason(request.headers, host);
    if (refusal) {
      log(`refused: ${refusal}`);
      return sendJson(response, 403, { message: refusal });
    }
    const isControl = request.url?.startsWith('/_local') ?? false;
    const handled = isControl
      ? handleControlRequest(request, response, controlContext)
      : handleSqlRequest(request, response, sqlContext);
    handled.catch(() => sendJson(response, 500, { message: 'internal error' }));
  });

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refusal = refusalReason(request.headers, host);
    if (refusal) {
      log(`refused: ${refusal}`);
      return void socket.end(forbiddenResponse(refusal));
    }
    counters.countUpgradeRequest();
    void faults.delay().then(() => {
      if (closing) return socket.destroy();
      webSockets.handleUpgrade(request, socket, head, (ws) => {
        if (closing) return ws.terminate();
        const session = new WsSession(
          ws,
          { upstream, faults, counters, connectTimeoutMs, log },
          nextSessionId++,
        );
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
    // A sibling still starting when close() began is closed with the others once it is up.
    await Promise.allSettled([...startingSiblings]);
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
        [...busyBackends],
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
      const maxSiblings = options.maxSiblings ?? DEFAULT_MAX_SIBLINGS;
      if (siblings.size >= maxSiblings) {
        throw new SqlRequestError(
          429,
          maxSiblings === 0
            ? 'this endpoint starts no siblings (a sibling cannot start its own): ask its parent'
            : `at most ${maxSiblings} sibling endpoints may be open: close one with DELETE /_local/endpoints/:port`,
        );
      }
      if (closing) throw new SqlRequestError(503, 'this endpoint is closing');
      // Siblings start none of their own, so the cap bounds every server this endpoint can open.
      const starting = startNeonEndpoint({ ...options, host, port: 0, maxSiblings: 0 }).then(
        (sibling) => {
          siblings.set(sibling.port, sibling);
          return sibling;
        },
      );
      startingSiblings.add(starting);
      try {
        return await starting;
      } finally {
        startingSiblings.delete(starting);
      }
    },
  };
  return endpoint;
}

/** A plain HTTP 403 written before any 101, so the browser never gets a WebSocket. */
function forbiddenResponse(reason: string): string {
  const body = JSON.stringify({ message: reason });
  return [
    'HTTP/1.1 403 Forbidden',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
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
