import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import type { CounterSet } from './counters.ts';
import type { FaultController } from './faults.ts';
import { readBody, sendJsonText } from './http-util.ts';
import { runBatch, runStatement, UnusableConnectionError } from './sql-execute.ts';
import {
  parseBody,
  parseLogin,
  parseOptions,
  type SqlOptions,
  SqlRequestError,
  type SqlStatement,
} from './sql-request.ts';
import type { UpstreamBackend } from './terminate-sessions.ts';
import {
  COMPUTE_UNAVAILABLE,
  replyForConnectError,
  replyForQueryError,
  replyForRefusal,
  TOO_MANY_CLIENTS,
} from './upstream-errors.ts';
import type { UpstreamLogin, UpstreamPools } from './upstream-pool.ts';

/** What the `/sql` handler needs from its endpoint. */
export interface SqlApiContext {
  faults: FaultController;
  counters: CounterSet;
  pools: UpstreamPools;
  /** Upstream backends answering a request right now, for `terminateAll()`. */
  busyBackends: Set<UpstreamBackend>;
  maxBodyBytes: number;
  log: (line: string) => void;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The upstream committed, and the `loseReplies` fault takes the answer away. */
  lost?: boolean;
}

// Neon answers results over 10 MB with 507 (changelog 2023-08-16 raised the limit to 10 MB;
// proxy `SqlOverHttpError::ResponseTooLarge` maps to INSUFFICIENT_STORAGE).
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

const BATCH_HEADERS = [
  'neon-batch-isolation-level',
  'neon-batch-read-only',
  'neon-batch-deferrable',
];

/** Answers one request to the SQL API (every path outside `/_local`) in Neon's shapes. */
export async function handleSqlRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: SqlApiContext,
): Promise<void> {
  context.counters.countHttpStarted();
  // In flight until its statements ran and its reply is closed, even when the client left early.
  response.once('close', () => context.counters.countHttpFinished());
  let reply: Reply;
  try {
    reply = await answer(request, context);
  } catch (error) {
    context.log(`http: unexpected ${error instanceof Error ? error.name : 'error'}`);
    reply = { status: 500, body: { message: 'internal error in the local Neon endpoint' } };
  }
  if (reply.lost) {
    context.counters.countLostReply();
    context.log('http: reply lost after commit (fault)');
    response.destroy();
    return;
  }
  let payload = JSON.stringify(reply.body);
  if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
    const message = `response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`;
    reply = { status: 507, body: { message } };
    payload = JSON.stringify(reply.body);
  }
  // Only failures are logged: one line per successful query would drown the dev runner's output.
  if (reply.status >= 400) {
    const { code } = reply.body as { code?: unknown };
    context.log(`http ${reply.status}${typeof code === 'string' ? ` ${code}` : ''}`);
  }
  sendJsonText(response, reply.status, payload, reply.headers);
}

async function answer(request: IncomingMessage, context: SqlApiContext): Promise<Reply> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (pathname !== '/sql') return { status: 404, body: { message: 'not found: use POST /sql' } };
  if (request.method !== 'POST') {
    return {
      status: 405,
      body: { message: 'method not allowed: use POST' },
      headers: { Allow: 'POST' },
    };
  }
  let login: UpstreamLogin;
  let options: SqlOptions;
  let payload: { batch: boolean; statements: SqlStatement[] };
  try {
    login = parseLogin(request.headers);
    options = parseOptions(request.headers);
    payload = parseBody(await readBody(request, context.maxBodyBytes));
  } catch (error) {
    if (error instanceof SqlRequestError)
      return { status: error.status, body: { message: error.message } };
    throw error;
  }
  // Latency is spent after the body arrived, as on a network: a request whose client gave up
  // while it was on its way still reaches Postgres, late.
  await context.faults.delay();
  context.counters.countHttpQueries(payload.statements.length);
  const verdict = await context.faults.admit();
  if (verdict === 'compute-unavailable') return replyForRefusal(COMPUTE_UNAVAILABLE);
  if (verdict === 'too-many-clients') return replyForRefusal(TOO_MANY_CLIENTS);
  try {
    const reply = await execute(login, options, payload, context);
    if (payload.batch && reply.status === 200) reply.headers = echoBatchHeaders(request);
    return reply;
  } finally {
    context.faults.release();
  }
}

async function execute(
  login: UpstreamLogin,
  options: SqlOptions,
  payload: { batch: boolean; statements: SqlStatement[] },
  context: SqlApiContext,
): Promise<Reply> {
  let client: pg.PoolClient;
  try {
    client = await context.pools.acquire(login);
  } catch (error) {
    return replyForConnectError(error);
  }
  let reusable = true;
  const backend = busyBackend(client, login);
  if (backend) context.busyBackends.add(backend);
  if (backend) context.faults.freezeIfAsked(backend.pid);
  try {
    const [first] = payload.statements;
    const body =
      payload.batch || !first
        ? await runBatch(client, payload.statements, options)
        : await runStatement(client, first, options);
    // A batch has committed by now, a single statement has autocommitted.
    return { status: 200, body, lost: context.faults.takeLostReply('http') };
  } catch (error) {
    const cause = error instanceof UnusableConnectionError ? error.original : error;
    // After an ERROR (not FATAL) PostgreSQL is back at ReadyForQuery and the connection is clean.
    reusable =
      !(error instanceof UnusableConnectionError) &&
      cause instanceof pg.DatabaseError &&
      cause.severity === 'ERROR';
    return replyForQueryError(cause);
  } finally {
    if (backend) context.busyBackends.delete(backend);
    // As Neon's pool: only a connection back at ReadyForQuery 'I' (idle) is reused.
    client.release(!(reusable && client.getTransactionStatus() === 'I'));
  }
}

/** The backend a pooled client talks to; `processID` is pg's own field, unpublished in its types. */
function busyBackend(client: pg.PoolClient, login: UpstreamLogin): UpstreamBackend | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' ? { login, pid } : undefined;
}

/** Neon answers a batch with the transaction headers it applied. */
function echoBatchHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of BATCH_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string' && (value === 'true' || name.endsWith('level'))) {
      headers[name] = value;
    }
  }
  return headers;
}
