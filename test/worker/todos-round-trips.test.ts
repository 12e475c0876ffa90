import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, envWith, type SiblingEndpoint, startSiblingEndpoint } from './core-harness';
import { AUTH, createList, createTodo } from './todo-api-helpers';

// docs/benchmark.md's targets, on this API's routes: a read is one database round trip; a write of
// k statements is at most k + 2 (connect with BEGIN pipelined, k statements, COMMIT).
let endpoint: SiblingEndpoint;
const app = buildApp();

beforeAll(async () => {
  endpoint = await startSiblingEndpoint();
});
afterAll(async () => {
  await endpoint?.close();
});

async function roundTripsOf(path: string, init: RequestInit = {}): Promise<number> {
  await endpoint.waitForIdle();
  await endpoint.resetCounters();
  const result = await app.call(path, {
    ...init,
    env: envWith({ DATABASE_URL: endpoint.databaseUrl }),
  });
  expect(result.status, result.text).toBeLessThan(300);
  return (await endpoint.waitForIdle()).roundTrips;
}

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

describe('database round trips per request', () => {
  it('is 1 for every read', async () => {
    const list = await createList();
    const todo = await createTodo(list.id);
    expect(await roundTripsOf(`/todos/${todo.id}`)).toBe(1);
    expect(await roundTripsOf(`/todos?listId=${list.id}&completed=false`)).toBe(1);
    expect(await roundTripsOf(`/lists/${list.id}`)).toBe(1);
    expect(await roundTripsOf('/lists?limit=5')).toBe(1);
  });

  it('is at most k + 2 for writes of k statements', async () => {
    const list = await createList();
    const to = await createList();
    const todo = await createTodo(list.id);
    const create = await roundTripsOf('/todos', post({ listId: list.id, title: 'rt' }));
    expect(create).toBeLessThanOrEqual(1 + 2);
    const idempotent = await roundTripsOf(
      '/todos',
      post({ listId: list.id, title: 'rt' }, { 'Idempotency-Key': crypto.randomUUID() }),
    );
    expect(idempotent).toBeLessThanOrEqual(3 + 2);
    const move = await roundTripsOf('/todos/move', post({ todoIds: [todo.id], listId: to.id }));
    expect(move).toBeLessThanOrEqual(2 + 2);
  });
});
