import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { asc, eq, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { lists } from '../db/schema';
import { runIdempotent } from '../idempotency';
import { decodeCursor, toPage } from '../pagination';
import { DEFAULT_PAGE_SIZE, IDEMPOTENCY_KEY_PARAMETER, IdParamsSchema } from '../validation/common';
import { validationHook } from '../validation/hook';
import {
  CreateListBodySchema,
  ListListsQuerySchema,
  ListPageSchema,
  ListSchema,
  UpdateListBodySchema,
} from '../validation/lists';
import {
  BEARER_SECURITY,
  jsonBody,
  jsonResponse,
  OPTIONAL_BEARER_SECURITY,
  problemResponses,
} from './openapi-builders';
import { rowOrNotFound, toListResponse } from './rows';

const createList = createRoute({
  operationId: 'createList',
  method: 'post',
  path: '/lists',
  tags: ['lists'],
  summary: 'Create a list (idempotent with Idempotency-Key)',
  security: BEARER_SECURITY,
  parameters: [IDEMPOTENCY_KEY_PARAMETER],
  request: { body: jsonBody(CreateListBodySchema) },
  responses: {
    201: jsonResponse('The list, or the first answer for a repeated Idempotency-Key.', ListSchema),
    ...problemResponses(400, 401, 409, 413, 415, 422, 503, 504),
  },
});

const listLists = createRoute({
  operationId: 'listLists',
  method: 'get',
  path: '/lists',
  tags: ['lists'],
  summary: 'List lists, oldest first (keyset pagination)',
  security: OPTIONAL_BEARER_SECURITY,
  request: { query: ListListsQuerySchema },
  responses: {
    200: jsonResponse('One page; pass `nextCursor` as `cursor` for the next.', ListPageSchema),
    ...problemResponses(400, 401, 503, 504),
  },
});

const getList = createRoute({
  operationId: 'getList',
  method: 'get',
  path: '/lists/{id}',
  tags: ['lists'],
  summary: 'Read a list',
  security: OPTIONAL_BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    200: jsonResponse('The list.', ListSchema),
    ...problemResponses(400, 401, 404, 503, 504),
  },
});

const updateList = createRoute({
  operationId: 'updateList',
  method: 'patch',
  path: '/lists/{id}',
  tags: ['lists'],
  summary: 'Rename a list',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema, body: jsonBody(UpdateListBodySchema) },
  responses: {
    200: jsonResponse('The updated list.', ListSchema),
    ...problemResponses(400, 401, 404, 409, 413, 415, 503, 504),
  },
});

const deleteList = createRoute({
  operationId: 'deleteList',
  method: 'delete',
  path: '/lists/{id}',
  tags: ['lists'],
  summary: 'Delete a list and its todos',
  security: BEARER_SECURITY,
  request: { params: IdParamsSchema },
  responses: {
    204: { description: 'Deleted, with all its todos.' },
    ...problemResponses(400, 401, 404, 503, 504),
  },
});

/** `/lists` routes. Reads use the HTTP driver (one round trip); writes the request's transaction. */
export const listRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createList, async (c) => {
    const body = c.req.valid('json');
    // Stays on the interactive tx(): the generic runIdempotent claims the key, reads the stored
    // answer and decides in TypeScript (replay, 409, 422) before it writes, for any resource,
    // at k + 2 round trips. POST /todos shows the one-round-trip alternative (a write batch
    // with the claim in SQL), which needs that SQL written per resource.
    const result = await runIdempotent(c, body, async () => {
      const db = await c.var.tx();
      const rows = await db.insert(lists).values({ name: body.name }).returning();
      return toListResponse(rowOrNotFound(rows, 'list', ''));
    });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/lists/${result.body.id}`);
    return c.json(result.body, 201);
  })
  .openapi(listLists, async (c) => {
    const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await c.var
      .http()
      .select()
      .from(lists)
      .where(
        after
          ? sql`(${lists.createdAt}, ${lists.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      )
      .orderBy(asc(lists.createdAt), asc(lists.id))
      .limit(limit + 1);
    return c.json(toPage(rows.map(toListResponse), limit), 200);
  })
  .openapi(getList, async (c) => {
    const { id } = c.req.valid('param');
    const rows = await c.var.http().select().from(lists).where(eq(lists.id, id));
    return c.json(toListResponse(rowOrNotFound(rows, 'list', id)), 200);
  })
  .openapi(updateList, async (c) => {
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    const db = await c.var.tx();
    const rows = await db
      .update(lists)
      .set({ name, updatedAt: sql`now()` })
      .where(eq(lists.id, id))
      .returning();
    return c.json(toListResponse(rowOrNotFound(rows, 'list', id)), 200);
  })
  .openapi(deleteList, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.tx();
    const rows = await db.delete(lists).where(eq(lists.id, id)).returning({ id: lists.id });
    rowOrNotFound(rows, 'list', id);
    return c.body(null, 204);
  });
