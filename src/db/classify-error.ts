import { DrizzleQueryError } from 'drizzle-orm';

/** What the app does about a database error. */
export type DatabaseErrorKind =
  | 'transient'
  | 'too_many_connections'
  | 'serialization_failure'
  | 'unique_violation'
  | 'foreign_key_violation'
  | 'check_violation'
  | 'not_null_violation'
  | 'invalid_input'
  | 'statement_timeout'
  | 'configuration'
  | 'unknown';

/** A classified database error: its kind, and its SQLSTATE and constraint when Postgres sent them. */
export type DatabaseErrorInfo = { kind: DatabaseErrorKind; sqlState?: string; constraint?: string };

const kindOf = (kind: DatabaseErrorKind, states: string) =>
  states.split(' ').map((state): [string, DatabaseErrorKind] => [state, kind]);

// PostgreSQL Appendix A. Class 08 (connection exception) and 57P01-57P03 (shutdown, cannot
// connect now) are what a restarting or waking compute sends.
const SQLSTATE_KINDS = new Map([
  ...kindOf('transient', '08000 08001 08003 08006 57P01 57P02 57P03'),
  ...kindOf('too_many_connections', '53300'),
  ...kindOf('serialization_failure', '40001 40P01'),
  ...kindOf('unique_violation', '23505'),
  ...kindOf('foreign_key_violation', '23503'),
  ...kindOf('check_violation', '23514'),
  ...kindOf('not_null_violation', '23502'),
  ...kindOf('statement_timeout', '57014'),
  ...kindOf('configuration', '28000 28P01 3D000'),
]);

// Neon's proxy answers these for quota, suspended-project and wrong-endpoint cases;
// retrying cannot fix them (Neon docs, "Connection errors").
const PERMANENT_MESSAGE =
  /endpoint (is disabled|could not be found|cannot be found|not found)|quota|password authentication failed/;

const TRANSIENT_MESSAGE = new RegExp(
  [
    "couldn't connect to compute node|compute node is starting|error connecting to database",
    'econnrefused|econnreset|connection (refused|reset|terminated|closed|lost)|socket hang up',
    'is not queryable|timeout expired|timed out|fetch failed|attempts to open a websocket',
    'server error \\(http status 5',
  ].join('|'),
);

// fetch's abort names, and this app's own connect and reply timeouts (src/db/retry.ts).
const TIMEOUT_NAMES = new Set([
  'TimeoutError',
  'AbortError',
  'ConnectTimeoutError',
  'ReplyTimeoutError',
]);

const SQLSTATE_PATTERN = /^[0-9A-Z]{5}$/;
const ERRNO_PATTERN = /^E[A-Z]+$/;

/** The error and its `cause`s (drizzle wraps driver errors), at most 5 deep. */
export function causeChain(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    const record = current as Record<string, unknown>;
    chain.push(record);
    current = record.cause;
  }
  return chain;
}

// The HTTP driver reports a non-400 answer as `Server error (HTTP status 500): <body>`, where
// the body is Neon's JSON error with its own "code" (e.g. 53300 from a connection limit).
const HTTP_BODY_SQLSTATE = /server error \(http status \d+\):.*"code"\s*:\s*"([0-9A-Z]{5})"/is;

/** The SQLSTATE carried by the error or one of its causes, if any. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const link of messageLinks(error)) {
    const code = link.code;
    if (typeof code === 'string' && SQLSTATE_PATTERN.test(code) && !ERRNO_PATTERN.test(code)) {
      return code;
    }
    const embedded = HTTP_BODY_SQLSTATE.exec(String(link.message ?? ''))?.[1];
    if (embedded) return embedded;
  }
  return undefined;
}

// drizzle's wrapper message is "Failed query: <sql> params: <values>": user input, never evidence.
function messageLinks(error: unknown): Record<string, unknown>[] {
  return causeChain(error).filter((link) => !(link instanceof DrizzleQueryError));
}

/** The error itself, or what drizzle wrapped (its wrapper's message holds the query and params). */
export function unwrapQueryError(error: unknown): unknown {
  return error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
}

function messagesOf(error: unknown): string {
  return messageLinks(error)
    .map((link) => `${String(link.name ?? '')} ${String(link.message ?? '')}`)
    .join('\n')
    .toLowerCase();
}

function constraintOf(error: unknown): string | undefined {
  const link = causeChain(error).find((l) => typeof l.constraint === 'string' && l.constraint);
  return link?.constraint as string | undefined;
}

/**
 * Sorts any driver, drizzle or connection error into the kinds the app acts on, from SQLSTATE and
 * message text only; never prints it (drizzle's message holds the query parameters).
 */
export function classifyDatabaseError(error: unknown): DatabaseErrorInfo {
  const sqlState = sqlStateOf(error);
  const constraint = constraintOf(error);
  if (sqlState) {
    const kind = SQLSTATE_KINDS.get(sqlState);
    if (kind) return { kind, sqlState, constraint };
    // Class 22 (data exception): the input could not be stored as given.
    if (sqlState.startsWith('22')) return { kind: 'invalid_input', sqlState };
  }
  const text = messagesOf(error);
  if (PERMANENT_MESSAGE.test(text)) return { kind: 'configuration', sqlState };
  const timedOut = causeChain(error).some((l) => TIMEOUT_NAMES.has(String(l.name)));
  if (timedOut || TRANSIENT_MESSAGE.test(text)) return { kind: 'transient', sqlState };
  return { kind: 'unknown', sqlState, constraint };
}

/** True when trying again may succeed: a lost or refused connection, a waking compute, 53300. */
export function isTransientError(error: unknown): boolean {
  const { kind } = classifyDatabaseError(error);
  return kind === 'transient' || kind === 'too_many_connections';
}

/**
 * True when a COMMIT (or a write batch, which ends in one) may have committed unannounced: no
 * SQLSTATE (a lost reply), or class 08, 57P0x or XX (the session died). Any other SQLSTATE means
 * Postgres rejected a statement and the transaction rolled back.
 */
export function mayHaveCommitted(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state === undefined) return true;
  return state.startsWith('08') || state.startsWith('57P0') || state.startsWith('XX');
}
