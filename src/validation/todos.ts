import { z } from '@hono/zod-openapi';
import { boundedText, MAX_PAGE_SIZE, pageQueryShape, TimestampSchema, uuidInput } from './common';

export const TODO_TITLE_MAX = 200;

/** A todo as the API returns it. */
export const TodoSchema = z
  .object({
    id: z.uuid(),
    listId: z.uuid(),
    title: z.string(),
    completed: z.boolean(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .openapi('Todo');

const todoFields = {
  listId: uuidInput(),
  title: boundedText(TODO_TITLE_MAX),
  completed: z.boolean().optional(),
};

/** Body of `POST /todos`. */
export const CreateTodoBodySchema = z.strictObject(todoFields).openapi('CreateTodo', {
  example: { listId: '0b0e3b4e-5d4a-4c1e-9f6b-2a7d3c1e8f00', title: 'Buy milk' },
});

/** Body of `PATCH /todos/{id}`: any subset of the fields, at least one. */
export const UpdateTodoBodySchema = z
  .strictObject(todoFields)
  .partial()
  .refine(
    (body) => Object.keys(body).length > 0,
    'must set at least one of listId, title, completed',
  )
  .openapi('UpdateTodo', { example: { completed: true } });

/** Body of `POST /todos/move`. */
export const MoveTodosBodySchema = z
  .strictObject({
    todoIds: z
      .array(uuidInput())
      .min(1)
      .max(MAX_PAGE_SIZE)
      .refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates'),
    listId: uuidInput(),
  })
  .openapi('MoveTodos', {
    example: {
      todoIds: ['5f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f'],
      listId: '0b0e3b4e-5d4a-4c1e-9f6b-2a7d3c1e8f00',
    },
  });

/** Query of `GET /todos`. */
export const ListTodosQuerySchema = z.strictObject({
  listId: uuidInput()
    .optional()
    .openapi({ param: { name: 'listId', in: 'query' } }),
  completed: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ param: { name: 'completed', in: 'query' }, type: 'boolean' }),
  ...pageQueryShape,
});

/** The todos moved by `POST /todos/move`. */
export const MovedTodosSchema = z.object({ items: z.array(TodoSchema) }).openapi('MovedTodos');
