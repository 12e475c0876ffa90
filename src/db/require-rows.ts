import { type SQL, sql } from 'drizzle-orm';

// SQLSTATE P0002 no_data_found, raised by the require_rows() function (drizzle/0003_require_rows.sql).
const NO_DATA_FOUND = 'P0002';

/** A batch statement that fails (rolling the batch back) when an id in `wanted` is not in `present`. */
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
