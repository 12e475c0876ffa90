import { OpenAPIHono } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env';
import { lists } from '../db/schema';
import { runIdempotent } from '../idempotency';
import { keyset, toPage } from '../pagination';
import { DEFAULT_PAGE_SIZE } from '../validation/common';
import { validationHook } from '../validation/hook';
import {
  CreateListBodySchema,
  ListListsQuerySchema,
  ListSchema,
  UpdateListBodySchema,
} from '../validation/lists';
import { crudRoutes } from './openapi-builders';
import { rowOrNotFound, toResponseRow } from './rows';

const routes = crudRoutes({
  name: 'list',
  path: '/lists',
  schemas: {
    item: ListSchema,
    create: CreateListBodySchema,
    update: UpdateListBodySchema,
    query: ListListsQuerySchema,
  },
  summaries: {
    list: 'List lists, oldest first (keyset pagination)',
    update: 'Rename a list',
    delete: 'Delete a list and its todos',
  },
  deleted: 'Deleted, with all its todos.',
});

/** `/lists` routes. Reads use the HTTP driver (one round trip); writes the request's transaction. */
export const listRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    // The generic runIdempotent (k + 2 round trips on tx()); POST /todos shows the one-batch way.
    const result = await runIdempotent(c, body, async () => {
      const db = await c.var.tx();
      const rows = await db.insert(lists).values({ name: body.name }).returning();
      return toResponseRow(rowOrNotFound(rows, 'list', ''));
    });
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/lists/${result.body.id}`);
    return c.json(result.body, 201);
  })
  .openapi(routes.list, async (c) => {
    const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query');
    const page = keyset(lists, cursor);
    const rows = await c.var
      .http()
      .select()
      .from(lists)
      .where(page.after)
      .orderBy(...page.order)
      .limit(limit + 1);
    return c.json(toPage(rows.map(toResponseRow), limit), 200);
  })
  .openapi(routes.get, async (c) => {
    const { id } = c.req.valid('param');
    const rows = await c.var.http().select().from(lists).where(eq(lists.id, id));
    return c.json(toResponseRow(rowOrNotFound(rows, 'list', id)), 200);
  })
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    const db = await c.var.tx();
    const rows = await db
      .update(lists)
      .set({ name, updatedAt: sql`now()` })
      .where(eq(lists.id, id))
      .returning();
    return c.json(toResponseRow(rowOrNotFound(rows, 'list', id)), 200);
  })
  .openapi(routes.delete, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.tx();
    const rows = await db.delete(lists).where(eq(lists.id, id)).returning({ id: lists.id });
    rowOrNotFound(rows, 'list', id);
    return c.body(null, 204);
  });
