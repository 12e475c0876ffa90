import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { todos } from '../db/schema';
import { decodeCursor, toPage } from '../pagination';
import { DEFAULT_PAGE_SIZE, IDEMPOTENCY_KEY_PARAMETER, IdParamsSchema } from '../validation/common';
import { validationHook } from '../validation/hook';
import {
  CreateTodoBodySchema,
  ListTodosQuerySchema,
  TodoPageSchema,
  TodoSchema,
  UpdateTodoBodySchema,
} from '../validation/todos';
import {
  BEARER_SECURITY,
  jsonBody,
  jsonResponse,
  OPTIONAL_BEARER_SECURITY,
  problemResponses,
} from './openapi-builders';
import { rowOrNotFound, toTodoResponse } from './rows';
import { createTodoOnce, readTodo } from './todo-create';

const createTodo = createRoute({
  operationId: 'createTodo',
  method: 'post',
  path: '/todos',
  tags: ['todos'],
  summary: 'Create a todo (idempotent with Idempotency-Key)',
  security: BEARER_SECURITY,
  parameters: [IDEMPOTENCY_KEY_PARAMETER],
  request: { body: jsonBody(CreateTodoBodySchema) },
  responses: {
    201: jsonResponse('The todo, or the first answer for a repeated Idempotency-Key.', TodoSchema),
    ...problemResponses(400, 401, 409, 413, 415, 422, 503, 504),
  },
});

const listTodos = createRoute({
  operationId: 'listTodos',
  method: 'get',
  path: '/todos',
  tags: ['todos'],
  summary: 'List todos, oldest first, filtered by list and completion (keyset pagination)',
  security: OPTIONAL_BEARER_SECURITY,
  request: { query: ListTodosQuerySchema },
  responses: {
    200: jsonResponse('One page; pass `nextCursor` as `cursor` for the next.', TodoPageSchema),
    ...problemResponses(400, 401, 503, 504),
  },
});

const getTodo = createRoute({
  operationId: 'getTodo',
  method: 'get',
  path: '/todos/{id}',
  tags: ['todos'],
  summary: 'Read a todo',
  security: OPTIONAL_BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    200: jsonResponse('The todo.', TodoSchema),
    ...problemResponses(400, 401, 404, 503, 504),
  },
});

const updateTodo = createRoute({
  operationId: 'updateTodo',
  method: 'patch',
  path: '/todos/{id}',
  tags: ['todos'],
  summary: 'Update some fields of a todo',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema, body: jsonBody(UpdateTodoBodySchema) },
  responses: {
    200: jsonResponse('The updated todo.', TodoSchema),
    ...problemResponses(400, 401, 404, 409, 413, 415, 503, 504),
  },
});

const deleteTodo = createRoute({
  operationId: 'deleteTodo',
  method: 'delete',
  path: '/todos/{id}',
  tags: ['todos'],
  summary: 'Delete a todo',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    204: { description: 'Deleted.' },
    ...problemResponses(400, 401, 404, 503, 504),
  },
});

/** `/todos` routes. Reads use the HTTP driver, writes one write batch: one round trip each. */
export const todoRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createTodo, async (c) => {
    const { todo, replayed } = await createTodoOnce(c, c.req.valid('json'));
    if (replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/todos/${todo.id}`);
    return c.json(todo, 201);
  })
  .openapi(listTodos, async (c) => {
    const { listId, completed, limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor) : undefined;
    const filters: SQL[] = [];
    if (listId) filters.push(eq(todos.listId, listId));
    if (completed !== undefined) filters.push(eq(todos.completed, completed));
    if (after) {
      filters.push(
        sql`(${todos.createdAt}, ${todos.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    const rows = await c.var
      .http()
      .select()
      .from(todos)
      .where(and(...filters))
      .orderBy(asc(todos.createdAt), asc(todos.id))
      .limit(limit + 1);
    return c.json(toPage(rows.map(toTodoResponse), limit), 200);
  })
  .openapi(getTodo, async (c) => {
    const { id } = c.req.valid('param');
    const rows = await c.var.http().select().from(todos).where(eq(todos.id, id));
    return c.json(toTodoResponse(rowOrNotFound(rows, 'todo', id)), 200);
  })
  .openapi(updateTodo, async (c) => {
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
        result: ([rows]) => toTodoResponse(rowOrNotFound(rows, 'todo', id)),
        recover: () => readTodo(c, id),
      },
    );
    return c.json(todo, 200);
  })
  .openapi(deleteTodo, async (c) => {
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
