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

const listBody = (name: string, example: string) =>
  z
    .strictObject({ name: boundedText(LIST_NAME_MAX) })
    .openapi(name, { example: { name: example } });

/** Body of `POST /lists`. */
export const CreateListBodySchema = listBody('CreateList', 'Groceries');

/** Body of `PATCH /lists/{id}`. */
export const UpdateListBodySchema = listBody('UpdateList', 'Weekend groceries');

/** Query of `GET /lists`. */
export const ListListsQuerySchema = z.strictObject(pageQueryShape);
