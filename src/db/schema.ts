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

/** Idempotent creates: claimed in the write's own transaction, answer stored before it commits. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    body: jsonb('body'),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** One row per write batch attempt: after a lost reply, its presence proves the batch committed. */
export const txReceipts = pgTable(
  'tx_receipts',
  {
    id: uuid('id').primaryKey(),
    requestId: text('request_id'),
    // Written by a lookup: the attempt it names never committed and never will.
    fenced: boolean('fenced').notNull().default(false),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('tx_receipts_created_idx').on(t.createdAt)],
);
