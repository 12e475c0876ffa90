/** Where the endpoint listens and which PostgreSQL it stands in front of. */
export interface NeonEndpointOptions {
  /** Defaults to 127.0.0.1: the endpoint relays to a database, so it stays on loopback. */
  host?: string;
  /** Defaults to 4444; 0 picks a free port. */
  port?: number;
  /** The only place bytes are ever relayed to, whatever a client asks for. */
  upstream: { host: string; port: number };
  /**
   * How long PostgreSQL has to accept a connection and answer its login, over HTTP and WebSocket;
   * defaults to 10 s. A client past it gets "Couldn't connect to compute node".
   */
  upstreamConnectTimeoutMs?: number;
  /** Largest accepted `/sql` request body; defaults to 10 MB (Neon's limit). */
  maxBodyBytes?: number;
  /** Sibling endpoints `POST /_local/endpoints` may keep open at once; defaults to 32. */
  maxSiblings?: number;
  /** Receives terse lines; never a connection string, password or SQL parameter. */
  log?: (line: string) => void;
}

/**
 * Traffic seen by one endpoint instance since it started or since the last reset.
 *
 * The benchmark divides `roundTrips` by the number of application requests to report
 * "database round trips per request", so every field has one exact definition:
 */
export interface EndpointCounters {
  /** Gauge: WebSocket sessions whose handshake completed and that are not closed yet. */
  wsOpen: number;
  /** WebSocket handshakes completed (including sessions later refused by a fault). */
  wsTotal: number;
  /** Gauge: HTTP requests to the SQL API (any path outside `/_local`) still being answered. */
  httpInFlight: number;
  /** HTTP requests to the SQL API, whatever their outcome (malformed ones included). */
  httpRequests: number;
  /** Statements in well-formed `/sql` requests: 1 for `{query}`, n for `{queries: [n]}`. */
  httpQueries: number;
  /**
   * Network round trips between a client and the database, counted as:
   * every HTTP request to the SQL API (one request, one response);
   * plus every WebSocket upgrade request (the handshake);
   * plus every WebSocket client burst: a maximal run of client->server messages with no
   * server->client data in between. The first client message of a session opens a burst,
   * and so does the first client message after the server has sent anything. With the
   * driver's pipelined connect, startup + password + first query form one burst; the
   * Terminate message sent by `client.end()` forms a burst of its own.
   */
  roundTrips: number;
  /** Replies dropped by the `loseReplies` fault after the upstream had committed. */
  lostReplies: number;
  /** Round trips (HTTP requests, handshakes, client bursts) that waited the `latencyMs` fault. */
  delayedRoundTrips: number;
  /** Connection attempts (WebSocket or HTTP) held while the compute slept (`suspend.waitMs`). */
  heldArrivals: number;
  /** PostgreSQL backends stopped (SIGSTOP) by the `freezeBackends` fault. */
  frozenBackends: number;
}

/** How many of the next events a fault hits (connection attempts, commits); or all of them. */
export type FailCount = number | 'forever';

/** Faults injected into one endpoint instance. `setFaults` merges these into the current ones. */
export interface FaultSettings {
  /** Added once per HTTP request, once per WebSocket handshake and once per client burst. */
  latencyMs?: number;
  suspend?: {
    /** The compute sleeps: connections arriving now wait until waitMs after the first one. */
    waitMs?: number;
    /** The next K connection attempts (WebSocket or HTTP) fail with "Couldn't connect to compute node". */
    failCount?: FailCount;
  };
  /** At most this many concurrent sessions (WebSocket sessions + HTTP requests); null lifts it. */
  connectionCap?: number | null;
  /**
   * Loses the reply of the next N commits, after PostgreSQL committed: `http` destroys the
   * response of a successful `/sql` request (a batch or a single autocommit statement); `ws`
   * withholds the CommandComplete `COMMIT` (and whatever follows) and drops the session.
   */
  loseReplies?: { http?: FailCount; ws?: FailCount };
  /**
   * Freezes (SIGSTOP) each upstream backend before any statement reaches it: a WebSocket
   * session's once its pid is known (statements pipelined with the login wait until then), an
   * HTTP request's before its statements. `false` or clearing the faults resumes them (SIGCONT).
   * Needs a PostgreSQL on this machine that this process may signal.
   */
  freezeBackends?: boolean;
}

/** A running endpoint. Every method acts on this instance only. */
export interface NeonEndpoint {
  /** `http://host:port`; the SQL API is `${url}/sql`, the control API `${url}/_local`. */
  url: string;
  host: string;
  port: number;
  counters(): EndpointCounters;
  /** Zeroes the totals; the two gauges (wsOpen, httpInFlight) keep their live values. */
  resetCounters(): void;
  setFaults(faults: FaultSettings): void;
  clearFaults(): void;
  /**
   * Ends every WebSocket session, and the upstream backend of every HTTP request being answered,
   * as a compute restart does (clients see 57P01); returns how many.
   */
  terminateAll(): Promise<number>;
  /** Closes sockets, sibling endpoints and pooled upstream connections; resolves when all are gone. */
  close(): Promise<void>;
}
