import { describe, expect, it } from 'vitest';
import { isCalendarTimestamp } from '../../src/pagination';
import { useSiblingEndpoint } from './core-harness';
import { call, createList, createTodo, expectProblem, todosInList } from './todo-api-helpers';

const endpoint = useSiblingEndpoint();

function base64url(text: string): string {
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const ID = '6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34';

describe('UUIDs in any case', () => {
  it('moves a todo named in upper case and answers it in lower case', async () => {
    const from = await createList();
    const to = await createList();
    const todo = await createTodo(from.id);
    const reply = await call('POST', '/todos/move', {
      body: { todoIds: [todo.id.toUpperCase()], listId: to.id.toUpperCase() },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.items).toMatchObject([{ id: todo.id, listId: to.id }]);
    expect(await todosInList(to.id)).toHaveLength(1);
  });

  it('treats one id in lower and upper case as the duplicate it is, not as a missing todo', async () => {
    const from = await createList();
    const to = await createList();
    const todo = await createTodo(from.id);
    const mixed = await call('POST', '/todos/move', {
      body: { todoIds: [todo.id, todo.id.toUpperCase()], listId: to.id },
    });
    const same = await call('POST', '/todos/move', {
      body: { todoIds: [todo.id, todo.id], listId: to.id },
    });
    expectProblem(mixed, 400, 'validation_failed');
    expect(mixed.body.errors).toEqual(same.body.errors);
    expect(await todosInList(from.id)).toHaveLength(1);
  });

  it('replays an idempotent create retried with listId in upper case', async () => {
    const list = await createList();
    const headers = { 'Idempotency-Key': crypto.randomUUID() };
    const first = await call('POST', '/todos', { headers, body: { listId: list.id, title: 't' } });
    const retry = await call('POST', '/todos', {
      headers,
      body: { listId: list.id.toUpperCase(), title: 't' },
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await todosInList(list.id)).toHaveLength(1);
  });

  it('reads a list by its id in upper case', async () => {
    const list = await createList();
    const reply = await call('GET', `/lists/${list.id.toUpperCase()}`);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(list.id);
  });
});

describe('a forged cursor', () => {
  it.each([
    ['February 30', '2026-02-30T00:00:00.000000Z'],
    ['year 0', '0000-01-01T00:00:00.000000Z'],
    ['hour 24', '2026-01-01T24:00:00.000000Z'],
    ['an offset instead of Z', '2026-01-01T00:00:00.000000+00'],
  ])('with %s answers 400 invalid_cursor without a database request', async (_label, at) => {
    await endpoint.resetCounters();
    const cursor = base64url(JSON.stringify([at, ID]));
    for (const path of ['/todos', '/lists']) {
      const reply = await call('GET', `${path}?cursor=${cursor}`, {
        vars: { DATABASE_URL: endpoint.databaseUrl },
      });
      expectProblem(reply, 400, 'invalid_cursor');
    }
    expect(await endpoint.counters()).toMatchObject({ roundTrips: 0, httpQueries: 0 });
  });
});

describe('isCalendarTimestamp', () => {
  it('accepts what PostgreSQL prints for a timestamptz in UTC', () => {
    expect(isCalendarTimestamp('2026-01-31T12:00:00.123456Z')).toBe(true);
    expect(isCalendarTimestamp('2024-02-29T23:59:59.999999Z')).toBe(true);
    expect(isCalendarTimestamp('0001-01-01T00:00:00.000000Z')).toBe(true);
  });

  it('refuses dates that do not exist and any other format', () => {
    for (const text of [
      '2026-02-29T00:00:00.000000Z',
      '2026-04-31T00:00:00.000000Z',
      '2026-02-30T00:00:00.000000Z',
      '0000-01-01T00:00:00.000000Z',
      '2026-01-01T00:60:00.000000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01 00:00:00.000000Z',
      '+02026-01-01T00:00:00.000000Z',
    ]) {
      expect(isCalendarTimestamp(text), text).toBe(false);
    }
  });
});
