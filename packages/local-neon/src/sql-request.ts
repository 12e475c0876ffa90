import type { IncomingHttpHeaders } from 'node:http';
import { toPgParam } from './text-output.ts';
import type { UpstreamLogin } from './upstream-pool.ts';

/** One statement of a `/sql` request, parameters already in PostgreSQL text form. */
export interface SqlStatement {
  query: string;
  params: (string | null)[];
  arrayMode: boolean | undefined;
}

/** How the request wants its answer and its batch transaction (the Neon-* headers). */
export interface SqlOptions {
  rawText: boolean;
  arrayMode: boolean;
  /** `BEGIN` modifiers for a batch, e.g. `ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE`. */
  transactionModes: string;
}

/** A request the endpoint refuses before touching the database; answered as `{ message }`. */
export class SqlRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

/** The upstream login from Neon-Connection-String; its host and port are ignored on purpose. */
export function parseLogin(headers: IncomingHttpHeaders): UpstreamLogin {
  const header = headers['neon-connection-string'];
  if (typeof header !== 'string' || header === '') {
    throw new SqlRequestError(400, 'missing Neon-Connection-String header');
  }
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    throw new SqlRequestError(400, 'invalid connection string in Neon-Connection-String');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new SqlRequestError(400, 'incorrect scheme in Neon-Connection-String');
  }
  const user = decode(url.username);
  const password = decode(url.password);
  const database = decode(url.pathname.slice(1));
  if (!user) throw new SqlRequestError(400, 'missing username');
  if (!password) throw new SqlRequestError(400, 'missing authentication credentials: password');
  if (!database) throw new SqlRequestError(400, 'missing database name');
  const applicationName = url.searchParams.get('application_name') ?? undefined;
  return { user, password, database, applicationName };
}

/** Neon treats only the exact value "true" as true in its boolean headers. */
export function parseOptions(headers: IncomingHttpHeaders): SqlOptions {
  const isTrue = (name: string) => headers[name] === 'true';
  const modes: string[] = [];
  const isolation = headers['neon-batch-isolation-level'];
  if (isolation !== undefined) {
    const level = typeof isolation === 'string' ? ISOLATION_LEVELS[isolation] : undefined;
    if (!level) throw new SqlRequestError(400, 'invalid isolation level');
    modes.push(`ISOLATION LEVEL ${level}`);
  }
  if (isTrue('neon-batch-read-only')) modes.push('READ ONLY');
  if (isTrue('neon-batch-deferrable')) modes.push('DEFERRABLE');
  return {
    rawText: isTrue('neon-raw-text-output'),
    arrayMode: isTrue('neon-array-mode'),
    transactionModes: modes.join(' '),
  };
}

/** `{query, params}` is one statement; `{queries: [...]}` is a batch run in one transaction. */
export function parseBody(text: string): { batch: boolean; statements: SqlStatement[] } {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    // The parser's message quotes the body, which may hold SQL parameters: keep it out.
    throw new SqlRequestError(400, 'could not parse the HTTP request body: invalid JSON');
  }
  if (isRecord(payload) && Array.isArray(payload.queries)) {
    return { batch: true, statements: payload.queries.map(parseStatement) };
  }
  return { batch: false, statements: [parseStatement(payload)] };
}

function parseStatement(value: unknown): SqlStatement {
  if (!isRecord(value) || typeof value.query !== 'string') {
    throw new SqlRequestError(400, 'request body must be {query, params} or {queries: [...]}');
  }
  const { query, params = [], arrayMode } = value;
  if (!Array.isArray(params)) throw new SqlRequestError(400, 'params must be an array');
  if (arrayMode !== undefined && typeof arrayMode !== 'boolean') {
    throw new SqlRequestError(400, 'arrayMode must be a boolean');
  }
  return { query, params: params.map(toPgParam), arrayMode };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new SqlRequestError(400, 'invalid percent-encoding in Neon-Connection-String');
  }
}
