import type { IsolationLevel } from '../app-env';

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
 * The statements that open a transaction. Only validated enums and integers are spliced in:
 * `SET` takes no bind parameters. A read-write transaction also asks for its id, so a COMMIT
 * whose reply is lost can be looked up with `pg_xact_status` (PostgreSQL 13+).
 */
export function beginStatements(settings: TxSettings): string[] {
  const mode = settings.readOnly ? 'READ ONLY' : 'READ WRITE';
  const statements = [
    `BEGIN ISOLATION LEVEL ${ISOLATION_SQL[settings.isolationLevel]} ${mode}`,
    `SET LOCAL statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
  ];
  if (!settings.readOnly) statements.push('SELECT pg_current_xact_id()::text');
  return statements;
}
