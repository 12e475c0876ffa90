import { OpenAPIHono } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { todos } from '../db/schema';
import { keyset, toPage } from '../pagination';
import { DEFAULT_PAGE_SIZE } from '../validation/common';
import { validationHook } from '../validation/hook';
import {
  CreateTodoBodySchema,
  ListTodosQuerySchema,
  TodoSchema,
  UpdateTodoBodySchema,
} from '../validation/todos';
import { crudRoutes } from './openapi-builders';
import { rowOrNotFound, toResponseRow } from './rows';
import { createTodoOnce, readTodo } from './todo-create';

const routes = crudRoutes({
  name: 'todo',
  path: '/todos',
  schemas: {
    item: TodoSchema,
    create: CreateTodoBodySchema,
    update: UpdateTodoBodySchema,
    query: ListTodosQuerySchema,
  },
  summaries: {
    list: 'List todos, oldest first, filtered by list and completion (keyset pagination)',
    update: 'Update some fields of a todo',
    delete: 'Delete a todo',
  },
  deleted: 'Deleted.',
});

/** `/todos` routes. Reads use the HTTP driver, writes one write batch: one round trip each. */
export const todoRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(routes.create, async (c) => {
    const { todo, replayed } = await createTodoOnce(c, c.req.valid('json'));
    if (replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/todos/${todo.id}`);
    return c.json(todo, 201);
  })
  .openapi(routes.list, async (c) => {
    const { listId, completed, limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query');
    const page = keyset(todos, cursor);
    const rows = await c.var
      .http()
      .select()
      .from(todos)
      .where(
        and(
          listId === undefined ? undefined : eq(todos.listId, listId),
          completed === undefined ? undefined : eq(todos.completed, completed),
          page.after,
        ),
      )
      .orderBy(...page.order)
      .limit(limit + 1);
    return c.json(toPage(rows.map(toResponseRow), limit), 200);
  })
  .openapi(routes.get, async (c) => c.json(await readTodo(c, c.req.valid('param').id), 200))
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid('param');
    const changes = c.req.valid('json');
    // No todo: the batch committed only its receipt, and the answer is a 404.
    const todo = await c.var.batch(
      (db) => [
        db
          .update(todos)
          .set({ ...changes, updatedAt: sql`now()` })
          .where(eq(todos.id, id))
          .returning(),
      ],
      {
        result: ([rows]) => toResponseRow(rowOrNotFound(rows, 'todo', id)),
        recover: () => readTodo(c, id),
      },
    );
    return c.json(todo, 200);
  })
  .openapi(routes.delete, async (c) => {
    const { id } = c.req.valid('param');
    await c.var.batch(
      (db) => [db.delete(todos).where(eq(todos.id, id)).returning({ id: todos.id })],
      {
        result: ([rows]) => rowOrNotFound(rows, 'todo', id),
        // The delete committed, so the todo is gone whether or not it was there before: 204.
        recover: async () => ({ id }),
      },
    );
    return c.body(null, 204);
  });
