import { type SQL, sql } from 'drizzle-orm';
import { causeChain } from './classify-error';

// SQLSTATE P0002 no_data_found, raised by the require_rows() function (drizzle/0003_require_rows.sql).
const NO_DATA_FOUND = 'P0002';

/** A batch statement that fails (rolling the batch back) when an id in `wanted` is not in `present`. */
export function requireRows(kind: string, wanted: readonly string[], present: SQL): SQL {
  return sql`select require_rows(${kind}, ${sql.param(wanted)}::uuid[], array(${present}))`;
}

/** The missing ids a failed {@link requireRows} named, in the order they were wanted. */
export function missingRowsOf(error: unknown): string[] | undefined {
  const link = causeChain(error).find(
    (l) => l.code === NO_DATA_FOUND && typeof l.detail === 'string',
  );
  return link && String(link.detail).split(',');
}
