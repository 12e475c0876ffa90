import type { IsolationLevel } from '../../config';
import { DriverShapeError } from '../../errors';

/** How the request's transaction starts. */
export type TxSettings = {
  isolationLevel: IsolationLevel;
  readOnly: boolean;
  statementTimeoutMs: number;
};

/** What came back for the prefix: the command tags and the data rows' first fields. */
export type PrefixReplies = { tags: string[]; values: unknown[] };

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

// The id lets a COMMIT whose reply is lost be looked up with pg_xact_status (PostgreSQL 13+);
// only a read-write transaction has one.
const XACT_ID_STATEMENT = 'SELECT pg_current_xact_id()::text';

/** BEGIN and its statement_timeout; only validated enums and integers are spliced in (SET takes no parameters). */
export function beginStatements(settings: TxSettings): string[] {
  const mode = settings.readOnly ? 'READ ONLY' : 'READ WRITE';
  return [
    `BEGIN ISOLATION LEVEL ${ISOLATION_SQL[settings.isolationLevel]} ${mode}`,
    `SET LOCAL statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
  ];
}

/** The statements sent ahead of the first one: BEGIN, its settings and, read-write, the xid. */
export function transactionPrefix(settings: TxSettings): string[] {
  const begin = beginStatements(settings);
  return settings.readOnly ? begin : [...begin, XACT_ID_STATEMENT];
}

/**
 * Returns the transaction id once every prefix statement answered with its own tag (and the id
 * came, when asked for); otherwise the first statement's result may have been taken for a prefix
 * reply, or BEGIN may never have run.
 * @throws {DriverShapeError} when the replies differ.
 */
export function verifyPrefixReplies(
  prefix: readonly string[],
  replies: PrefixReplies,
): string | undefined {
  const expected = prefix.map((text) =>
    text.startsWith('SELECT') ? 'SELECT 1' : text.split(' ', 1)[0],
  );
  const asksXid = prefix.includes(XACT_ID_STATEMENT);
  const xid = asksXid ? replies.values[0] : undefined;
  const tagsMatch =
    replies.tags.length === expected.length && replies.tags.every((t, i) => t === expected[i]);
  if (!tagsMatch || (asksXid && (replies.values.length !== 1 || !xid))) {
    throw new DriverShapeError('The transaction prefix was not answered as sent.');
  }
  return xid === undefined ? undefined : String(xid);
}

/** The replies of the prefix sent as one simple Query (explicit BEGIN): one result per statement. */
export function explicitReplies(result: unknown): PrefixReplies {
  const results = (Array.isArray(result) ? result : [result]) as {
    command?: unknown;
    rowCount?: unknown;
    rows?: Record<string, unknown>[];
  }[];
  const replies: PrefixReplies = { tags: [], values: [] };
  for (const { command, rowCount, rows } of results) {
    replies.tags.push(command === 'SELECT' ? `SELECT ${String(rowCount)}` : String(command));
    for (const row of rows ?? []) replies.values.push(Object.values(row)[0]);
  }
  return replies;
}
