import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/client';
import { TOKEN, todosInList, uniqueName } from './todo-api-helpers';

const workerFetch: typeof fetch = (input, init) => exports.default.fetch(input, init);

describe('createApiClient', () => {
  it('creates, reads, updates, lists and deletes with typed calls', async () => {
    const api = createApiClient('http://localhost', { token: TOKEN, fetch: workerFetch });
    const listRes = await api.lists.$post({ json: { name: uniqueName() } });
    expect(listRes.status).toBe(201);
    if (listRes.status !== 201) return;
    const list = await listRes.json();

    const created = await api.todos.$post(
      { json: { listId: list.id, title: 'typed' } },
      { headers: { 'Idempotency-Key': crypto.randomUUID() } },
    );
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const todo = await created.json();
    expect(todo.title).toBe('typed');

    const patched = await api.todos[':id'].$patch({
      param: { id: todo.id },
      json: { completed: true },
    });
    if (patched.status !== 200) throw new Error(`patch: ${patched.status}`);
    expect((await patched.json()).completed).toBe(true);

    const page = await api.todos.$get({ query: { listId: list.id, completed: 'true' } });
    if (page.status !== 200) throw new Error(`list: ${page.status}`);
    const body = await page.json();
    expect(body.items.map((t) => t.id)).toEqual([todo.id]);
    expect(body.nextCursor).toBeNull();

    const deleted = await api.todos[':id'].$delete({ param: { id: todo.id } });
    expect(deleted.status).toBe(204);
    expect(await todosInList(list.id)).toHaveLength(0);
  });

  it('surfaces problem responses with their status', async () => {
    const api = createApiClient('http://localhost', { fetch: workerFetch });
    const res = await api.lists.$post({ json: { name: uniqueName() } });
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toContain('application/problem+json');
  });
});
