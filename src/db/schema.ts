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

/**
 * Idempotent creates: the key is claimed (INSERT ... ON CONFLICT DO NOTHING) in the same
 * transaction as the write, and the response is stored before it commits. `status` and
 * `body` are null only inside that transaction, so no other session ever sees them null.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    /** SHA-256 of method, path and validated body: the same key with another request is a 422. */
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    body: jsonb('body'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  // The daily purge (src/jobs/purge-expired.ts) selects the oldest keys by created_at.
  (t) => [index('idempotency_keys_created_idx').on(t.createdAt)],
);

/**
 * One row per write batch attempt, inserted first inside the batch's own transaction: its
 * presence after a lost reply proves the batch committed. A lookup that finds none inserts the
 * row itself with `fenced = true`, so a late original then fails on the primary key.
 */
export const txReceipts = pgTable(
  'tx_receipts',
  {
    id: uuid('id').primaryKey(),
    /** The X-Request-Id of the request that wrote it, for operators; not unique (retries). */
    requestId: text('request_id'),
    /** True when a lookup wrote the row: the attempt it names never committed and never will. */
    fenced: boolean('fenced').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  // The daily purge (src/jobs/purge-expired.ts) selects the oldest receipts by created_at.
  (t) => [index('tx_receipts_created_idx').on(t.createdAt)],
);
