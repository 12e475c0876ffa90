import { eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { idempotencyKeys, todos } from '../db/schema';
import type { HttpDatabase } from '../db/transaction';
import { checkStoredAnswer, hashRequest, readIdempotencyKey } from '../idempotency';
import { rowOrNotFound, toResponseRow } from './rows';

type TodoResponse = typeof todos.$inferSelect;
/** A created todo, and whether it is the stored answer of an earlier request with the key. */
type CreatedTodo = { todo: TodoResponse; replayed: boolean };

/** The todo with `id`, read over HTTP (also the answer of a write whose reply was lost). */
export async function readTodo(c: Context<AppEnv>, id: string): Promise<TodoResponse> {
  const rows = await c.var.http().select().from(todos).where(eq(todos.id, id));
  return toResponseRow(rowOrNotFound(rows, 'todo', id));
}

// The batch stores the created row (`to_jsonb`, snake_case); older keys hold the response itself.
function storedTodoResponse(body: unknown): TodoResponse {
  const stored = body as Record<string, unknown>;
  if ('listId' in stored) return stored as TodoResponse;
  return toResponseRow({
    id: stored.id as string,
    listId: stored.list_id as string,
    title: stored.title as string,
    completed: stored.completed as boolean,
    createdAt: stored.created_at as string,
    updatedAt: stored.updated_at as string,
  });
}

/**
 * Creates a todo in one write batch; with an `Idempotency-Key` the claim, the insert (only if the
 * claim did) and the read of whichever answer the key holds travel in that same batch.
 */
export async function createTodoOnce(
  c: Context<AppEnv>,
  body: { listId: string; title: string; completed?: boolean },
): Promise<CreatedTodo> {
  const id = crypto.randomUUID();
  const key = readIdempotencyKey(c);
  if (key === undefined) {
    const todo = await c.var.batch(
      (db) => [
        db
          .insert(todos)
          .values({ ...body, id })
          .returning(),
      ],
      {
        result: ([rows]) => toResponseRow(rowOrNotFound(rows, 'todo', id)),
        recover: () => readTodo(c, id),
      },
    );
    return { todo, replayed: false };
  }
  const requestHash = await hashRequest(c, body);
  const answer = (stored: Parameters<typeof checkStoredAnswer>[0]): CreatedTodo => {
    const todo = storedTodoResponse(checkStoredAnswer(stored, requestHash));
    return { todo, replayed: todo.id !== id };
  };
  const readStored = (db: HttpDatabase) =>
    db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  return c.var.batch(
    (db) => [
      db.execute(sql`
        with claim as (
          insert into ${idempotencyKeys} (key, request_hash) values (${key}, ${requestHash})
          on conflict (key) do nothing returning key)
        insert into ${todos} (id, list_id, title, completed)
        select ${id}::uuid, ${body.listId}::uuid, ${body.title}::text,
               ${body.completed ?? false}::boolean
        from claim`),
      // A separate statement: sub-statements of one WITH do not see each other's rows.
      db.execute(sql`
        update ${idempotencyKeys} k set status = 201, body = to_jsonb(t)
        from ${todos} t
        where k.key = ${key} and k.status is null and t.id = ${id}::uuid`),
      readStored(db),
    ],
    {
      result: ([, , stored]) => answer(stored[0]),
      recover: async () => answer((await readStored(c.var.http()))[0]),
    },
  );
}
