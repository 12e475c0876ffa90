import type { Client } from '@neondatabase/serverless';
import type { IsolationLevel } from '../../config';
import { DriverShapeError } from '../../errors';
import { armTripwire } from './tripwire';
import { type ActiveQuery, activeQueryOf, type WireConnection, type WireShape } from './wire-shape';

/** What came back for the prefix: the command tags and the data rows' first fields. */
export type PrefixReplies = { tags: string[]; values: unknown[] };

/** A pipelined prefix on its way: its replies, and a promise that rejects if it was refused. */
export type PipelinedPrefix = {
  replies: PrefixReplies;
  /** Rejects with {@link DriverShapeError} when nothing was sent because the shape was wrong. */
  refused: Promise<never>;
};

/**
 * Sends `prefix` (e.g. BEGIN, SET LOCAL) in the same network burst as the client's next query,
 * under that query's single Sync, so opening a transaction costs no round trip of its own.
 *
 * node-postgres keeps one query in flight, so this hooks the wire connection once (its shape
 * checked by `checkWireShape` first): the prefix goes out as Parse/Bind/Execute before the next
 * query's messages, and its CommandComplete and DataRow replies are taken off that query's
 * result. After an error Postgres skips every message up to Sync (Protocol, "Extended Query"),
 * so the query never runs outside the transaction; for the same reason a parameterless query is
 * sent as Parse/Bind/Execute too, never as a simple Query message. Until the prefix is written
 * a tripwire on the socket refuses any statement, should the hooks not fire.
 * Tested against @neondatabase/serverless 1.2.0 (pinned).
 */
export function prefixNextQuery(
  client: Client,
  shape: WireShape,
  prefix: readonly string[],
): PipelinedPrefix {
  const { wire, activeQueryKey } = shape;
  const replies: PrefixReplies = { tags: [], values: [] };
  let refuse: (error: DriverShapeError) => void = () => {};
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  refused.catch(() => {});
  let misplaced: DriverShapeError | undefined;
  const tripwire = armTripwire(wire, () =>
    refuse(
      misplaced ??
        new DriverShapeError('The driver sent a statement before the transaction began.'),
    ),
  );
  const restoreWire = () => {
    // The hooks are own properties shadowing the prototype's methods; deleting restores them.
    const own = wire as Partial<WireConnection>;
    delete own.parse;
    delete own.query;
  };
  // Returns false, having sent nothing, when the in-flight query is not where it should be.
  const writePrefix = (): boolean => {
    restoreWire();
    const query = activeQueryOf(client, activeQueryKey);
    if (!query) {
      misplaced = new DriverShapeError('The driver keeps its active query elsewhere.', true);
      tripwire.trip();
      return false;
    }
    tripwire.disarm();
    for (const text of prefix) {
      wire.parse({ text } as never, false);
      wire.bind({} as never, false);
      wire.execute({} as never, false);
    }
    stripPrefixReplies(query, prefix.length, replies);
    return true;
  };
  wire.parse = (config, more) => {
    if (writePrefix()) wire.parse(config, more);
  };
  wire.query = (text) => {
    if (!writePrefix()) return;
    wire.parse({ text } as never, false);
    wire.bind({} as never, false);
    wire.describe({ type: 'P', name: '' } as never, false);
    wire.execute({} as never, false);
    wire.sync();
  };
  return { replies, refused };
}

function stripPrefixReplies(query: ActiveQuery, count: number, replies: PrefixReplies): void {
  let remaining = count;
  const done = () => {
    const own = query as Partial<ActiveQuery>;
    delete own.handleCommandComplete;
    delete own.handleDataRow;
  };
  const { handleCommandComplete, handleDataRow } = query;
  query.handleDataRow = (message) => {
    if (remaining > 0) replies.values.push(message.fields[0]);
    else handleDataRow.call(query, message);
  };
  query.handleCommandComplete = (message, connection) => {
    if (remaining > 0) {
      replies.tags.push(String(message.text));
      remaining -= 1;
      if (remaining === 0) done();
      return;
    }
    handleCommandComplete.call(query, message, connection);
  };
}

/**
 * Checks that every prefix statement answered with its own command tag (and, when it asked for
 * the transaction id, that the id arrived) and returns that id. Otherwise the first statement's
 * result may have been mistaken for a prefix reply, or BEGIN may never have run.
 * @throws {DriverShapeError} when the replies differ.
 */
export function verifyPrefixReplies(
  prefix: readonly string[],
  replies: PrefixReplies,
): string | undefined {
  const expected = prefix.map((text) => (text.startsWith('SELECT') ? 'SELECT 1' : commandOf(text)));
  const asksXid = prefix.includes(XACT_ID_STATEMENT);
  const xid = asksXid ? replies.values[0] : undefined;
  const tagsMatch =
    replies.tags.length === expected.length && replies.tags.every((t, i) => t === expected[i]);
  if (!tagsMatch || (asksXid && (replies.values.length !== 1 || !xid))) {
    throw new DriverShapeError('The transaction prefix was not answered as sent.');
  }
  return xid === undefined ? undefined : String(xid);
}

/** The command word a statement's reply is tagged with (`BEGIN ISOLATION ...` -> `BEGIN`). */
function commandOf(text: string): string {
  return text.split(' ', 1)[0] as string;
}

/**
 * The replies of the prefix sent as one simple Query (explicit BEGIN), in the shape
 * {@link verifyPrefixReplies} checks: node-postgres answers a multi-statement query with one
 * result per statement.
 */
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

/** How the request's transaction starts. */
export type TxSettings = {
  isolationLevel: IsolationLevel;
  readOnly: boolean;
  statementTimeoutMs: number;
};

const ISOLATION_SQL: Record<IsolationLevel, string> = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/**
 * The statements that open a transaction: BEGIN and its statement_timeout. Only validated enums
 * and integers are spliced in: `SET` takes no bind parameters.
 */
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
 * Asks for the transaction's id, so a COMMIT whose reply is lost can be looked up with
 * `pg_xact_status` (PostgreSQL 13+). Only a read-write transaction has one to ask for.
 */
const XACT_ID_STATEMENT = 'SELECT pg_current_xact_id()::text';
