import { describe, expect, it } from 'vitest';
import { call, createList, createTodo, db, expectProblem } from './todo-api-helpers';

function base64url(text: string): string {
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

describe('GET /todos?cursor=', () => {
  it('walks every todo of a list once, oldest first, including ties on created_at', async () => {
    const list = await createList();
    // One statement: all five rows share created_at (now() is the transaction's start), so the
    // order falls back to id; a cursor that kept only the timestamp would lose rows here.
    await db()`insert into todos (list_id, title) select ${list.id}, 'tied ' || n from generate_series(1, 5) as n`;
    const later = await createTodo(list.id, 'later');
    const expected =
      await db()`select id from todos where list_id = ${list.id} order by created_at, id`;

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `listId=${list.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const reply = await call('GET', `/todos?${query}`, { token: false });
      expect(reply.status).toBe(200);
      seen.push(...reply.body.items.map((t: { id: string }) => t.id));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor);

    expect(seen).toEqual(expected.map((row) => row.id));
    expect(seen.at(-1)).toBe(later.id);
    expect(pages).toBe(3);
  });

  it('answers nextCursor null on the last page', async () => {
    const list = await createList();
    await createTodo(list.id);
    const reply = await call('GET', `/todos?listId=${list.id}&limit=1`);
    expect(reply.body.items).toHaveLength(1);
    expect(reply.body.nextCursor).toBeNull();
  });

  it('defaults to 20 items and allows 100', async () => {
    const list = await createList();
    await db()`insert into todos (list_id, title) select ${list.id}, 'n' || n from generate_series(1, 101) as n`;
    const first = await call('GET', `/todos?listId=${list.id}`);
    expect(first.body.items).toHaveLength(20);
    const max = await call('GET', `/todos?listId=${list.id}&limit=100`);
    expect(max.body.items).toHaveLength(100);
    expect(max.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 of non-JSON', base64url('hello')],
    ['an object instead of a pair', base64url('{"t":"2026-01-01T00:00:00.000000Z"}')],
    ['a bad timestamp', base64url('["yesterday","6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34"]')],
    ['a bad id', base64url(`["2026-01-01T00:00:00.000000Z","1' or '1'='1"]`)],
    [
      'an impossible date',
      base64url('["2026-13-45T00:00:00.000000Z","6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34"]'),
    ],
    [
      'extra members',
      base64url('["2026-01-01T00:00:00.000000Z","6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34",1]'),
    ],
    [
      'padding',
      `${base64url('["2026-01-01T00:00:00.000000Z","6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34"]')}==`,
    ],
  ])('answers 400 invalid_cursor for %s', async (_label, cursor) => {
    const reply = await call('GET', `/todos?cursor=${encodeURIComponent(cursor)}`);
    expectProblem(reply, 400, 'invalid_cursor');
    expect(reply.body.detail).toContain('query.cursor');
  });
});
