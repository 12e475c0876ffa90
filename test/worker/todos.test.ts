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

describe('POST /todos', () => {
  it('creates a todo, not completed by default', async () => {
    const list = await createList();
    const reply = await call('POST', '/todos', { body: { listId: list.id, title: 'Buy milk' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ listId: list.id, title: 'Buy milk', completed: false });
    expect(reply.headers.get('Location')).toBe(`/todos/${reply.body.id}`);
    expect(await todosInList(list.id)).toEqual([
      { id: reply.body.id, title: 'Buy milk', completed: false },
    ]);
  });

  it('answers 409 foreign_key_violation for a list that does not exist and writes nothing', async () => {
    const reply = await call('POST', '/todos', { body: { listId: MISSING_ID, title: 'orphan' } });
    expectProblem(reply, 409, 'foreign_key_violation');
    expect(await todosInList(MISSING_ID)).toHaveLength(0);
  });

  it.each([
    ['SQL injection', "Robert'); DROP TABLE todos; --"],
    ['a quote soup', `'"\\;--/* */ $1 %s \${x}`],
    ['emoji with joiners and skin tones', '👩🏽‍💻 ship it 🚀 👨‍👩‍👧‍👦'],
    ['right-to-left text with marks', 'שלום \u200f عالم \u200e'],
    ['combining marks, not normalized', 'e\u0301 vs \u00e9 ﬁ'],
    ['zero-width and BOM characters', 'a\u200bb\u200dc\ufeffd'],
    ['200 astral characters', '𝕏'.repeat(200)],
    ['a lone space', ' '],
  ])('stores %s verbatim', async (_label, title) => {
    const list = await createList();
    const created = await call('POST', '/todos', { body: { listId: list.id, title } });
    expect(created.status).toBe(201);
    expect(created.body.title).toBe(title);
    const read = await call('GET', `/todos/${created.body.id}`);
    expect(read.body.title).toBe(title);
    const [row] = await db()`select title from todos where id = ${created.body.id}`;
    expect(row?.title).toBe(title);
  });
});

describe('GET /todos/:id', () => {
  it('answers the todo without a token', async () => {
    const list = await createList();
    const todo = await createTodo(list.id);
    const reply = await call('GET', `/todos/${todo.id}`, { token: false });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(todo);
  });

  it('answers 404 todo_not_found for an unknown id', async () => {
    expectProblem(await call('GET', `/todos/${MISSING_ID}`), 404, 'todo_not_found');
  });
});

describe('GET /todos', () => {
  it('filters by list and by completed', async () => {
    const list = await createList();
    const other = await createList();
    const open = await createTodo(list.id, 'open');
    const done = await createTodo(list.id, 'done', true);
    await createTodo(other.id, 'elsewhere');

    const all = await call('GET', `/todos?listId=${list.id}`);
    expect(all.body.items.map((t: { id: string }) => t.id)).toEqual([open.id, done.id]);
    const completed = await call('GET', `/todos?listId=${list.id}&completed=true`);
    expect(completed.body).toEqual({ items: [done], nextCursor: null });
    const notCompleted = await call('GET', `/todos?listId=${list.id}&completed=false`);
    expect(notCompleted.body).toEqual({ items: [open], nextCursor: null });
  });

  it('answers an empty page for a list with no todos', async () => {
    const reply = await call('GET', `/todos?listId=${MISSING_ID}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: [], nextCursor: null });
  });
});

describe('PATCH /todos/:id', () => {
  it('changes only the fields sent and bumps updatedAt', async () => {
    const list = await createList();
    const todo = await createTodo(list.id, 'keep this title');
    const reply = await call('PATCH', `/todos/${todo.id}`, { body: { completed: true } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ title: 'keep this title', completed: true });
    expect(reply.body.createdAt).toBe(todo.createdAt);
    expect(reply.body.updatedAt > todo.updatedAt).toBe(true);
    expect(await todosInList(list.id)).toEqual([
      { id: todo.id, title: 'keep this title', completed: true },
    ]);
  });

  it('moves a todo to another list', async () => {
    const from = await createList();
    const to = await createList();
    const todo = await createTodo(from.id);
    const reply = await call('PATCH', `/todos/${todo.id}`, { body: { listId: to.id } });
    expect(reply.status).toBe(200);
    expect(await todosInList(to.id)).toHaveLength(1);
    expect(await todosInList(from.id)).toHaveLength(0);
  });

  it('answers 409 for a list that does not exist and leaves the todo alone', async () => {
    const list = await createList();
    const todo = await createTodo(list.id);
    const reply = await call('PATCH', `/todos/${todo.id}`, { body: { listId: MISSING_ID } });
    expectProblem(reply, 409, 'foreign_key_violation');
    expect(await todosInList(list.id)).toHaveLength(1);
  });

  it('answers 400 for an empty body and changes nothing', async () => {
    const list = await createList();
    const todo = await createTodo(list.id, 'same');
    const reply = await call('PATCH', `/todos/${todo.id}`, { body: {} });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('at least one');
    const again = await call('GET', `/todos/${todo.id}`);
    expect(again.body).toEqual(todo);
  });

  it('answers 404 for an unknown id', async () => {
    const reply = await call('PATCH', `/todos/${MISSING_ID}`, { body: { completed: true } });
    expectProblem(reply, 404, 'todo_not_found');
  });
});

describe('DELETE /todos/:id', () => {
  it('deletes the todo', async () => {
    const list = await createList();
    const todo = await createTodo(list.id);
    const reply = await call('DELETE', `/todos/${todo.id}`);
    expect(reply.status).toBe(204);
    expect(reply.body).toBe('');
    expect(await todosInList(list.id)).toHaveLength(0);
  });

  it('answers 404 the second time', async () => {
    const list = await createList();
    const todo = await createTodo(list.id);
    await call('DELETE', `/todos/${todo.id}`);
    expectProblem(await call('DELETE', `/todos/${todo.id}`), 404, 'todo_not_found');
  });
});
