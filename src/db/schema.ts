import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
};

/** A named list of todos; names are unique so a duplicate create is a 409. */
export const lists = pgTable(
  'lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull().unique('lists_name_unique'),
    ...timestamps,
  },
  (t) => [check('lists_name_length', sql`char_length(${t.name}) between 1 and 100`)],
);

/** A todo always belongs to a list (23503 when the list does not exist). */
export const todos = pgTable(
  'todos',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    listId: uuid('list_id')
      .notNull()
      .references(() => lists.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    completed: boolean('completed').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check('todos_title_length', sql`char_length(${t.title}) between 1 and 200`),
    index('todos_list_created_idx').on(t.listId, t.createdAt, t.id),
    index('todos_created_idx').on(t.createdAt, t.id),
  ],
);

/** Responses of idempotent creates, recorded in the same transaction as the write. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  status: integer('status').notNull(),
  body: jsonb('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
});
