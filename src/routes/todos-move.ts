import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { eq, inArray, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { lists, todos } from '../db/schema';
import { ApiError } from '../errors';
import { validationHook } from '../validation/hook';
import { MovedTodosSchema, MoveTodosBodySchema } from '../validation/todos';
import { BEARER_SECURITY, jsonBody, jsonResponse, problemResponses } from './openapi-builders';
import { toTodoResponse } from './rows';

const moveTodos = createRoute({
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

/**
 * `POST /todos/move`: the all-or-nothing write. Two statements in the request's transaction;
 * any failure after the first (an unknown todo, a missing list) rolls both back.
 */
export const moveTodoRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  moveTodos,
  async (c) => {
    const { todoIds, listId } = c.req.valid('json');
    const db = await c.var.tx();
    const moved = await db
      .update(todos)
      .set({ listId, updatedAt: sql`now()` })
      .where(inArray(todos.id, todoIds))
      .returning();
    if (moved.length !== todoIds.length) {
      const found = new Set(moved.map((row) => row.id));
      const missing = todoIds.flatMap((id, i) => (found.has(id) ? [] : [{ id, i }]));
      // Throwing rolls back the UPDATE above: the move is all or nothing.
      throw new ApiError(
        404,
        'todo_not_found',
        `No todo with id ${missing[0]?.id}; nothing moved.`,
        {
          details: missing.map(({ i }) => ({ path: `body.todoIds.${i}`, message: 'no such todo' })),
        },
      );
    }
    await db.update(lists).set({ updatedAt: sql`now()` }).where(eq(lists.id, listId));
    const order = new Map(todoIds.map((id, i) => [id, i]));
    moved.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return c.json({ items: moved.map(toTodoResponse) }, 200);
  },
);
