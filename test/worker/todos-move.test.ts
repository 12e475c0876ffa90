import { describe, expect, it } from 'vitest';
import {
  call,
  createList,
  createTodo,
  db,
  expectProblem,
  MISSING_ID,
  todosInList,
} from './todo-api-helpers';

describe('POST /todos/move', () => {
  it('moves every todo and answers them in the order asked', async () => {
    const from = await createList();
    const to = await createList();
    const a = await createTodo(from.id, 'a');
    const b = await createTodo(from.id, 'b');
    const reply = await call('POST', '/todos/move', {
      body: { todoIds: [b.id, a.id], listId: to.id },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((t: { id: string }) => t.id)).toEqual([b.id, a.id]);
    expect(reply.body.items.every((t: { listId: string }) => t.listId === to.id)).toBe(true);
    expect(await todosInList(from.id)).toHaveLength(0);
    expect(await todosInList(to.id)).toHaveLength(2);
  });

  it('moves nothing when one todo does not exist', async () => {
    const from = await createList();
    const to = await createList();
    const a = await createTodo(from.id, 'a');
    const b = await createTodo(from.id, 'b');
    const reply = await call('POST', '/todos/move', {
      body: { todoIds: [a.id, MISSING_ID, b.id], listId: to.id },
    });
    expectProblem(reply, 404, 'todo_not_found');
    expect(reply.body.errors).toEqual([{ path: 'body.todoIds.1', message: 'no such todo' }]);
    expect(await todosInList(from.id)).toHaveLength(2);
    expect(await todosInList(to.id)).toHaveLength(0);
    const [target] =
      await db()`select updated_at = created_at as untouched from lists where id = ${to.id}`;
    expect(target?.untouched).toBe(true);
  });

  it('moves nothing when the target list does not exist', async () => {
    const from = await createList();
    const a = await createTodo(from.id, 'a');
    const reply = await call('POST', '/todos/move', {
      body: { todoIds: [a.id], listId: MISSING_ID },
    });
    expectProblem(reply, 409, 'foreign_key_violation');
    expect(await todosInList(from.id)).toHaveLength(1);
  });

  it('answers 400 for duplicate ids and moves nothing', async () => {
    const from = await createList();
    const to = await createList();
    const a = await createTodo(from.id);
    const reply = await call('POST', '/todos/move', {
      body: { todoIds: [a.id, a.id], listId: to.id },
    });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('body.todoIds');
    expect(await todosInList(from.id)).toHaveLength(1);
  });

  it('answers 400 for an empty or oversized id list', async () => {
    const to = await createList();
    const empty = await call('POST', '/todos/move', { body: { todoIds: [], listId: to.id } });
    expectProblem(empty, 400, 'validation_failed');
    const many = Array.from({ length: 101 }, () => crypto.randomUUID());
    const huge = await call('POST', '/todos/move', { body: { todoIds: many, listId: to.id } });
    expectProblem(huge, 400, 'validation_failed');
  });
});
