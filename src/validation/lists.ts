import { z } from '@hono/zod-openapi';
import { boundedText, pageQueryShape, TimestampSchema } from './common';

export const LIST_NAME_MAX = 100;

/** A list as the API returns it. */
export const ListSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('List');

/** Body of `POST /lists`. */
export const CreateListBodySchema = z
  .strictObject({ name: boundedText(LIST_NAME_MAX) })
  .openapi('CreateList', { example: { name: 'Groceries' } });

/** Body of `PATCH /lists/{id}`. */
export const UpdateListBodySchema = z
  .strictObject({ name: boundedText(LIST_NAME_MAX) })
  .openapi('UpdateList', { example: { name: 'Weekend groceries' } });

/** Query of `GET /lists`. */
export const ListListsQuerySchema = z.strictObject(pageQueryShape);

/** One page of lists, oldest first. */
export const ListPageSchema = z
  .object({ items: z.array(ListSchema), nextCursor: z.string().nullable() })
  .openapi('ListPage');
