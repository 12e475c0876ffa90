import pg from 'pg';

/** An error the endpoint answers in PostgreSQL's terms instead of reaching the database. */
export interface Refusal {
  severity: 'ERROR' | 'FATAL';
  code: string;
  message: string;
}

/**
 * Neon's proxy answers a compute it cannot reach (still waking, or gone) with this wording and
 * SQLSTATE XX000 (proxy `COULD_NOT_CONNECT`, written by `PqStream::throw_error` as ERROR/XX000).
 */
export const COMPUTE_UNAVAILABLE: Refusal = {
  severity: 'ERROR',
  code: 'XX000',
  message: "Couldn't connect to compute node: compute is suspended",
};

/** The same refusal when the upstream PostgreSQL itself cannot be reached (down, wrong port). */
export function computeUnreachable(error: unknown): Refusal {
  return {
    ...COMPUTE_UNAVAILABLE,
    message: `Couldn't connect to compute node: ${describe(error)}`,
  };
}

/** PostgreSQL's own refusal beyond max_connections (SQLSTATE 53300 too_many_connections). */
export const TOO_MANY_CLIENTS: Refusal = {
  severity: 'FATAL',
  code: '53300',
  message: 'sorry, too many clients already',
};

/** An HTTP status and JSON body for the `/sql` API. */
export interface SqlErrorReply {
  status: number;
  body: Record<string, unknown>;
}

// The NeonDbError fields the driver copies from a 400 body (`hi` list in the driver's source).
const DB_ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

function dbErrorBody(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of DB_ERROR_FIELDS) body[field] = error[field] ?? null;
  return body;
}

/** A statement failed: PostgreSQL errors are the caller's (400, as Neon), anything else is 500. */
export function replyForQueryError(error: unknown): SqlErrorReply {
  if (error instanceof pg.DatabaseError) return { status: 400, body: dbErrorBody(error) };
  return {
    status: 500,
    body: { message: `connection to the database failed: ${describe(error)}` },
  };
}

/**
 * Opening the upstream connection failed. Neon checks the password itself and answers 400;
 * any other refusal by PostgreSQL (too many clients, no such database) is a 500 that still
 * carries the PostgreSQL fields; an unreachable database is Neon's XX000 wording.
 */
export function replyForConnectError(error: unknown): SqlErrorReply {
  if (error instanceof pg.DatabaseError) {
    return { status: error.code === '28P01' ? 400 : 500, body: dbErrorBody(error) };
  }
  return replyForRefusal(computeUnreachable(error));
}

/** A fault refused the request before it reached PostgreSQL; Neon reports these as 500. */
export function replyForRefusal(refusal: Refusal): SqlErrorReply {
  return { status: 500, body: { ...refusal } };
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
