import { type SQL, sql } from 'drizzle-orm';

// SQLSTATE P0002 no_data_found, raised by the require_rows() function (drizzle/0003_require_rows.sql).
const NO_DATA_FOUND = 'P0002';

/**
 * A statement for a write batch that fails it, so the whole batch rolls back, when an id in
 * `wanted` is not among the ids `present` selects. The error names the missing ids (see
 * {@link missingRowsOf}).
 * @example db.execute(requireRows('todo', ids, sql`select id from todos where id = any(...)`))
 */
export function requireRows(kind: string, wanted: readonly string[], present: SQL): SQL {
  return sql`select require_rows(${kind}, ${sql.param(wanted)}::uuid[], array(${present}))`;
}

/** The missing ids a failed {@link requireRows} named, in the order they were wanted. */
export function missingRowsOf(error: unknown): string[] | undefined {
  let link: unknown = error;
  for (let depth = 0; link && typeof link === 'object' && depth < 5; depth++) {
    const { code, detail, cause } = link as { code?: unknown; detail?: unknown; cause?: unknown };
    if (code === NO_DATA_FOUND && typeof detail === 'string') return detail.split(',');
    link = cause;
  }
  return undefined;
}
