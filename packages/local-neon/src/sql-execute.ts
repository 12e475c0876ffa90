import type pg from 'pg';
import type { SqlOptions, SqlStatement } from './sql-request.ts';
import { textToJson } from './text-output.ts';

/** One statement's answer in Neon's shape. */
export interface NeonQueryResult {
  fields: {
    name: string;
    dataTypeID: number;
    tableID: number;
    columnID: number;
    dataTypeSize: number;
    dataTypeModifier: number;
    format: string;
  }[];
  rows: unknown[];
  command: string;
  rowCount: number | null;
  rowAsArray: boolean;
}

// Values leave PostgreSQL as text and are handed on untouched: the driver parses them itself.
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

/** Runs one statement with the extended protocol, as Neon does (so one statement per query). */
export async function runStatement(
  client: pg.PoolClient,
  statement: SqlStatement,
  options: SqlOptions,
): Promise<NeonQueryResult> {
  const config: pg.QueryArrayConfig & { queryMode: 'extended' } = {
    text: statement.query,
    values: statement.params,
    rowMode: 'array',
    types: TEXT_TYPES,
    queryMode: 'extended',
  };
  const result = await client.query(config);
  const arrayMode = statement.arrayMode ?? options.arrayMode;
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: 'text',
  }));
  const rows = (result.rows as (string | null)[][]).map((row) => {
    const values = row.map((value, i) =>
      value === null || options.rawText ? value : textToJson(value, fields[i]?.dataTypeID ?? 0),
    );
    return arrayMode ? values : Object.fromEntries(fields.map((f, i) => [f.name, values[i]]));
  });
  return {
    fields,
    rows,
    command: result.command,
    rowCount: result.rowCount,
    rowAsArray: arrayMode,
  };
}

/** A statement failed and the connection could not even roll back: it must not be reused. */
export class UnusableConnectionError extends Error {
  constructor(readonly original: unknown) {
    super('connection left in an unknown state');
  }
}

/** Runs a batch as one transaction with the requested modes; any failure rolls all of it back. */
export async function runBatch(
  client: pg.PoolClient,
  statements: SqlStatement[],
  options: SqlOptions,
): Promise<{ results: NeonQueryResult[] }> {
  await client.query(`BEGIN ${options.transactionModes}`.trim());
  try {
    const results: NeonQueryResult[] = [];
    for (const statement of statements)
      results.push(await runStatement(client, statement, options));
    await client.query('COMMIT');
    return { results };
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    throw rolledBack ? error : new UnusableConnectionError(error);
  }
}
