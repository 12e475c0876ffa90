import { describe, expect, it } from 'vitest';
import {
  call,
  createList,
  createTodo,
  db,
  expectProblem,
  MISSING_ID,
  todosInList,
  uniqueName,
} from './todo-api-helpers';

async function listsNamed(name: string) {
  return db()`select id, name from lists where name = ${name}`;
}

describe('POST /lists', () => {
  it('creates a list and answers 201 with it and its Location', async () => {
    const name = uniqueName();
    const reply = await call('POST', '/lists', { body: { name } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name, id: expect.any(String) });
    expect(reply.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(reply.headers.get('Location')).toBe(`/lists/${reply.body.id}`);
    expect(await listsNamed(name)).toEqual([{ id: reply.body.id, name }]);
  });

  it('answers 409 unique_violation for a duplicate name and keeps one list', async () => {
    const name = uniqueName();
    await createList(name);
    const reply = await call('POST', '/lists', { body: { name } });
    expectProblem(reply, 409, 'unique_violation');
    expect(await listsNamed(name)).toHaveLength(1);
  });

  it('answers 400 naming the field for a name over 100 characters and writes nothing', async () => {
    const name = `${uniqueName()}${'x'.repeat(100)}`;
    const reply = await call('POST', '/lists', { body: { name } });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('body.name');
    expect(await listsNamed(name)).toHaveLength(0);
  });
});

describe('GET /lists/:id', () => {
  it('answers the list', async () => {
    const list = await createList();
    const reply = await call('GET', `/lists/${list.id}`, { token: false });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(list);
  });

  it('answers 404 list_not_found for an unknown id', async () => {
    expectProblem(await call('GET', `/lists/${MISSING_ID}`), 404, 'list_not_found');
  });

  it('answers 400 for an id that is not a uuid', async () => {
    const reply = await call('GET', "/lists/1'%20or%20'1'='1");
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('path.id');
  });
});

describe('GET /lists', () => {
  it('pages through lists in creation order', async () => {
    const mine = [await createList(), await createList(), await createList()];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=50&cursor=${cursor}` : '?limit=50';
      const reply = await call('GET', `/lists${query}`, { token: false });
      expect(reply.status).toBe(200);
      expect(reply.body.items.length).toBeLessThanOrEqual(50);
      seen.push(...reply.body.items.map((list: { id: string }) => list.id));
      cursor = reply.body.nextCursor;
    } while (cursor);
    const positions = mine.map((list) => seen.indexOf(list.id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('PATCH /lists/:id', () => {
  it('renames the list and bumps updatedAt', async () => {
    const list = await createList();
    const name = uniqueName('renamed');
    const reply = await call('PATCH', `/lists/${list.id}`, { body: { name } });
    expect(reply.status).toBe(200);
    expect(reply.body.name).toBe(name);
    expect(reply.body.updatedAt > reply.body.createdAt).toBe(true);
    expect(await listsNamed(name)).toEqual([{ id: list.id, name }]);
  });

  it('answers 409 when the new name is taken and keeps the old one', async () => {
    const taken = await createList();
    const list = await createList();
    const reply = await call('PATCH', `/lists/${list.id}`, { body: { name: taken.name } });
    expectProblem(reply, 409, 'unique_violation');
    expect(await listsNamed(list.name)).toHaveLength(1);
  });

  it('answers 404 for an unknown id', async () => {
    const reply = await call('PATCH', `/lists/${MISSING_ID}`, { body: { name: uniqueName() } });
    expectProblem(reply, 404, 'list_not_found');
  });

  it('answers 400 for an unknown field and changes nothing', async () => {
    const list = await createList();
    const reply = await call('PATCH', `/lists/${list.id}`, {
      body: { name: uniqueName(), owner: 'me' },
    });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.errors).toContainEqual({ path: 'body.owner', message: 'unknown field' });
    expect(await listsNamed(list.name)).toHaveLength(1);
  });
});

describe('DELETE /lists/:id', () => {
  it('deletes the list and its todos', async () => {
    const list = await createList();
    await createTodo(list.id, 'one');
    await createTodo(list.id, 'two');
    const reply = await call('DELETE', `/lists/${list.id}`);
    expect(reply.status).toBe(204);
    expect(await listsNamed(list.name)).toHaveLength(0);
    expect(await todosInList(list.id)).toHaveLength(0);
  });

  it('answers 404 for an unknown id', async () => {
    expectProblem(await call('DELETE', `/lists/${MISSING_ID}`), 404, 'list_not_found');
  });
});
