import { describe, expect, it } from 'vitest';
import { call, createList, db, expectProblem, uniqueName } from './todo-api-helpers';

async function keyRows(key: string) {
  return db()`select status, body from idempotency_keys where key = ${key}`;
}

describe('POST /todos with Idempotency-Key', () => {
  it('creates once and replays the same answer on a retry', async () => {
    const list = await createList();
    const key = crypto.randomUUID();
    const body = { listId: list.id, title: 'once' };
    const first = await call('POST', '/todos', { body, headers: { 'Idempotency-Key': key } });
    const retry = await call('POST', '/todos', { body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await db()`select id from todos where list_id = ${list.id}`).toEqual([
      { id: first.body.id },
    ]);
    // The key stores the created row (to_jsonb), which both answers serialize the same way.
    expect(await keyRows(key)).toEqual([
      {
        status: 201,
        body: expect.objectContaining({ id: first.body.id, list_id: list.id, title: 'once' }),
      },
    ]);
  });

  it('creates once when two requests with the same key race', async () => {
    const list = await createList();
    const key = crypto.randomUUID();
    const body = { listId: list.id, title: 'raced' };
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        call('POST', '/todos', { body, headers: { 'Idempotency-Key': key } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(await db()`select id from todos where list_id = ${list.id}`).toHaveLength(1);
  });

  it.each(['repeatable read', 'serializable'])(
    'creates once when requests race under %s isolation',
    async (level) => {
      const list = await createList();
      const key = crypto.randomUUID();
      const body = { listId: list.id, title: `raced under ${level}` };
      const vars = { DB_ISOLATION_LEVEL: level };
      const replies = await Promise.all(
        [1, 2, 3].map(() =>
          call('POST', '/todos', { body, vars, headers: { 'Idempotency-Key': key } }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
      expect(await db()`select id from todos where list_id = ${list.id}`).toHaveLength(1);
    },
  );

  it('answers 422 for the same key with a different body and creates nothing more', async () => {
    const list = await createList();
    const key = crypto.randomUUID();
    await call('POST', '/todos', {
      body: { listId: list.id, title: 'first' },
      headers: { 'Idempotency-Key': key },
    });
    const reply = await call('POST', '/todos', {
      body: { listId: list.id, title: 'second' },
      headers: { 'Idempotency-Key': key },
    });
    expectProblem(reply, 422, 'idempotency_key_reused');
    expect(await db()`select title from todos where list_id = ${list.id}`).toEqual([
      { title: 'first' },
    ]);
  });

  it('answers 422 for the same key on another route', async () => {
    const list = await createList();
    const key = crypto.randomUUID();
    await call('POST', '/todos', {
      body: { listId: list.id, title: 'a' },
      headers: { 'Idempotency-Key': key },
    });
    const name = uniqueName();
    const reply = await call('POST', '/lists', {
      body: { name },
      headers: { 'Idempotency-Key': key },
    });
    expectProblem(reply, 422, 'idempotency_key_reused');
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(0);
  });

  it('records no key when the create fails, so a retry runs again', async () => {
    const key = crypto.randomUUID();
    const body = { listId: crypto.randomUUID(), title: 'no list yet' };
    const failed = await call('POST', '/todos', { body, headers: { 'Idempotency-Key': key } });
    expectProblem(failed, 409, 'foreign_key_violation');
    expect(await keyRows(key)).toHaveLength(0);
  });

  it('answers 400 for a key that is not visible ASCII', async () => {
    const list = await createList();
    const reply = await call('POST', '/todos', {
      body: { listId: list.id, title: 'a' },
      headers: { 'Idempotency-Key': 'has space' },
    });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('header.Idempotency-Key');
    expect(await db()`select id from todos where list_id = ${list.id}`).toHaveLength(0);
  });
});

describe('POST /lists with Idempotency-Key', () => {
  it('creates one list for concurrent retries', async () => {
    const key = crypto.randomUUID();
    const name = uniqueName();
    const replies = await Promise.all(
      [1, 2, 3].map(() =>
        call('POST', '/lists', { body: { name }, headers: { 'Idempotency-Key': key } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await db()`select id from lists where name = ${name}`).toHaveLength(1);
  });
});
