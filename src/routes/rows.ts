import type { lists, todos } from '../db/schema';
import { ApiError } from '../errors';
import { toIsoTimestamp } from '../timestamps';

type ListRow = typeof lists.$inferSelect;
type TodoRow = typeof todos.$inferSelect;

/** A `lists` row as the API returns it. */
export function toListResponse(row: ListRow) {
  return {
    id: row.id,
    name: row.name,
    createdAt: toIsoTimestamp(row.createdAt),
    updatedAt: toIsoTimestamp(row.updatedAt),
  };
}

/** A `todos` row as the API returns it. */
export function toTodoResponse(row: TodoRow) {
  return {
    id: row.id,
    listId: row.listId,
    title: row.title,
    completed: row.completed,
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
