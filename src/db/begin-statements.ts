import type { IsolationLevel } from '../config';

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
