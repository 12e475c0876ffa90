import type { Client } from '@neondatabase/serverless';
import type { IsolationLevel } from '../../config';

// The parts of node-postgres (bundled in the Neon driver) this module relies on.
type WireConnection = {
  parse(config: { text: string }): void;
  bind(config?: object): void;
  describe(config: { type: 'P' | 'S'; name?: string }): void;
  execute(config?: object): void;
  sync(): void;
  query(text: string): void;
};
type ActiveQuery = {
  handleCommandComplete(message: unknown, connection: unknown): void;
  handleDataRow(message: { fields: unknown[] }): void;
};
type ClientInternals = { connection: WireConnection; activeQuery: ActiveQuery | null };

/**
 * Sends `prefix` (e.g. BEGIN, SET LOCAL) in the same network burst as the client's next query,
 * under that query's single Sync, so opening a transaction costs no round trip of its own.
 *
 * node-postgres keeps one query in flight, so this hooks the wire connection once: the prefix
 * goes out as Parse/Bind/Execute before the next query's messages, and its CommandComplete and
 * DataRow replies are taken off that query's result. After an error Postgres skips every message
 * up to Sync (Protocol, "Extended Query"), so the query never runs outside the transaction; for
 * the same reason a parameterless query is sent as Parse/Bind/Execute too, never as a simple
 * Query message. Tested against @neondatabase/serverless 1.2.0 (pinned).
 */
export function prefixNextQuery(
  client: Client,
  prefix: readonly string[],
  onPrefixRow: (fields: unknown[]) => void = () => {},
): void {
  const internals = client as unknown as ClientInternals;
  const wire = internals.connection;
  const restoreWire = () => {
    // The hooks are own properties shadowing the prototype's methods; deleting restores them.
    const own = wire as Partial<WireConnection>;
    delete own.parse;
    delete own.query;
  };
  const writePrefix = () => {
    restoreWire();
    for (const text of prefix) {
      wire.parse({ text });
      wire.bind({});
      wire.execute({});
    }
    const query = internals.activeQuery;
    if (query) stripPrefixReplies(query, prefix.length, onPrefixRow);
  };
  wire.parse = (config: { text: string }) => {
    writePrefix();
    wire.parse(config);
  };
  wire.query = (text: string) => {
    writePrefix();
    wire.parse({ text });
    wire.bind({});
    wire.describe({ type: 'P', name: '' });
    wire.execute({});
    wire.sync();
  };
}

function stripPrefixReplies(
  query: ActiveQuery,
  count: number,
  onPrefixRow: (fields: unknown[]) => void,
): void {
  let remaining = count;
  const done = () => {
    const own = query as Partial<ActiveQuery>;
    delete own.handleCommandComplete;
    delete own.handleDataRow;
  };
  const { handleCommandComplete, handleDataRow } = query;
  query.handleDataRow = (message: { fields: unknown[] }) => {
    if (remaining > 0) onPrefixRow(message.fields);
    else handleDataRow.call(query, message);
  };
  query.handleCommandComplete = (message: unknown, connection: unknown) => {
    if (remaining > 0) {
      remaining -= 1;
      if (remaining === 0) done();
      return;
    }
    handleCommandComplete.call(query, message, connection);
  };
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

/**
 * Asks for the transaction's id, so a COMMIT whose reply is lost can be looked up with
 * `pg_xact_status` (PostgreSQL 13+). Only a read-write transaction has one to ask for.
 */
export const XACT_ID_STATEMENT = 'SELECT pg_current_xact_id()::text';
