import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { eq, inArray, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { missingRowsOf, requireRows } from '../db/require-rows';
import { lists, todos } from '../db/schema';
import { ApiError } from '../errors';
import { validationHook } from '../validation/hook';
import { MovedTodosSchema, MoveTodosBodySchema } from '../validation/todos';
import { BEARER_SECURITY, jsonBody, jsonResponse, problemResponses } from './openapi-builders';
import { toResponseRow } from './rows';

const moveTodos = createRoute({
  operationId: 'moveTodos',
  method: 'post',
  path: '/todos/move',
  tags: ['todos'],
  summary: 'Move todos to another list, all or nothing',
  description:
    'Moves every listed todo or none: an unknown todo id is a 404 and an unknown list a 409, ' +
    'and either leaves every todo where it was.',
  security: BEARER_SECURITY,
  request: { body: jsonBody(MoveTodosBodySchema) },
  responses: {
    200: jsonResponse('The moved todos, in the order of `todoIds`.', MovedTodosSchema),
    ...problemResponses(400, 401, 404, 409, 413, 415, 503, 504),
  },
});

function inRequestOrder(rows: (typeof todos.$inferSelect)[], todoIds: string[]) {
  const order = new Map(todoIds.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return rows.map(toResponseRow);
}

function todoNotFound(missing: string[], todoIds: string[], cause: unknown): ApiError {
  return new ApiError(404, 'todo_not_found', `No todo with id ${missing[0]}; nothing moved.`, {
    cause,
    details: missing.map((id) => ({
      path: `body.todoIds.${todoIds.indexOf(id)}`,
      message: 'no such todo',
    })),
  });
}

/** `POST /todos/move`: `require_rows` fails the batch if an id is missing; an unknown list is 23503. */
export const moveTodoRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  moveTodos,
  async (c) => {
    const { todoIds, listId } = c.req.valid('json');
    const moved = inArray(todos.id, todoIds);
    const items = await c.var
      .batch(
        (db) => [
          db.update(todos).set({ listId, updatedAt: sql`now()` }).where(moved).returning(),
          db.execute(
            requireRows(
              'todo',
              todoIds,
              sql`select ${todos.id} from ${todos} where ${moved} and ${todos.listId} = ${listId}`,
            ),
          ),
          db.update(lists).set({ updatedAt: sql`now()` }).where(eq(lists.id, listId)),
        ],
        {
          result: ([rows]) => inRequestOrder(rows, todoIds),
          recover: async () =>
            inRequestOrder(await c.var.http().select().from(todos).where(moved), todoIds),
        },
      )
      .catch((error: unknown) => {
        const missing = missingRowsOf(error);
        throw missing ? todoNotFound(missing, todoIds, error) : error;
      });
    return c.json({ items }, 200);
  },
);
