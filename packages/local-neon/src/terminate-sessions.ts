import pg from 'pg';
import type { SessionLogin } from './session-inspector.ts';
import { waitWithin } from './wait-within.ts';
import type { WsSession } from './ws-session.ts';

/** A PostgreSQL backend the endpoint's HTTP API is using, and the login that opened it. */
export interface UpstreamBackend {
  login: SessionLogin;
  pid: number;
}

// Sessions whose client never completes the WebSocket close handshake are dropped after this.
const CLOSE_WAIT_MS = 3_000;

/**
 * Ends sessions as a compute restart does: PostgreSQL itself terminates each backend
 * (pg_terminate_backend), so clients read FATAL 57P01 admin_shutdown from the stream before it
 * closes. Each backend is terminated over a connection with its own session's login, which may
 * always signal its own role's backends. Sessions without a known backend are just dropped.
 * The backends of HTTP requests in flight are terminated the same way; their requests answer
 * with the 57P01 error. Resolves with the number of sessions and requests ended, once all the
 * sessions are closed.
 */
export async function terminateSessions(
  sessions: WsSession[],
  httpBackends: UpstreamBackend[],
  upstream: { host: string; port: number },
  log: (line: string) => void,
): Promise<number> {
  const groups = new Map<string, { login: SessionLogin; pids: number[]; members: WsSession[] }>();
  const groupOf = (login: SessionLogin) => {
    const key = JSON.stringify([login.user, login.password, login.database]);
    const group = groups.get(key) ?? { login, pids: [], members: [] };
    groups.set(key, group);
    return group;
  };
  for (const session of sessions) {
    const { login, backendPid } = session.inspector;
    if (!login || backendPid === undefined) {
      session.destroy();
      continue;
    }
    const group = groupOf(login);
    group.pids.push(backendPid);
    group.members.push(session);
  }
  for (const backend of httpBackends) groupOf(backend.login).pids.push(backend.pid);
  await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        await terminateBackends(group.login, group.pids, upstream);
      } catch (error) {
        log(`terminate: falling back to dropping sockets (${(error as Error).message})`);
        for (const session of group.members) session.destroy();
      }
    }),
  );
  await waitWithin(Promise.all(sessions.map((session) => session.closed)), CLOSE_WAIT_MS);
  for (const session of sessions) session.destroy();
  log(`terminate: ended ${sessions.length} session(s), ${httpBackends.length} HTTP request(s)`);
  return sessions.length + httpBackends.length;
}

async function terminateBackends(
  login: SessionLogin,
  pids: number[],
  upstream: { host: string; port: number },
): Promise<void> {
  const client = new pg.Client({
    ...upstream,
    ...login,
    application_name: 'local-neon terminate',
  });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  } finally {
    await client.end();
  }
}
