import type { lists, todos } from '../db/schema';
import { ApiError } from '../errors';
import { toIsoTimestamp } from '../timestamps';

/** A `lists` or `todos` row as the API returns it: its columns, timestamps in ISO 8601 UTC. */
export function toResponseRow<TRow extends typeof lists.$inferSelect | typeof todos.$inferSelect>(
  row: TRow,
): TRow {
  return {
    ...row,
    createdAt: toIsoTimestamp(row.createdAt),
    updatedAt: toIsoTimestamp(row.updatedAt),
  };
}

/** The one row a lookup by primary key found, else a 404 naming what was missing. */
export function rowOrNotFound<TRow>(rows: TRow[], what: 'list' | 'todo', id: string): TRow {
  const [row] = rows;
  if (row === undefined) throw new ApiError(404, `${what}_not_found`, `No ${what} with id ${id}.`);
  return row;
}
