import { randomUUID } from 'node:crypto';
import type { RequestFactory } from '@neon-workers-template/bench/load';
import pg from 'pg';

/** What one chaos request did, and what the checks need to find it in the database. */
export type Operation =
  | { kind: 'create'; title: string; idempotencyKey: string; listId: string }
  | { kind: 'move'; todoIds: string[]; bogusId?: string; from: string; to: string }
  | { kind: 'read-todo'; todoId: string }
  | { kind: 'list-todos'; listId: string }
  | { kind: 'health-db' };

/** The rows a chaos run owns: its own lists, and todos reserved for its moves. */
export interface ChaosData {
  runId: string;
  listIds: [string, string];
  seededTodoId: string;
  /** One pair of todos per move operation, so every move's outcome can be checked alone. */
  movePairs: string[][];
}

/** Share of each operation kind in the mix, out of 100. */
const MIX: [Operation['kind'], number][] = [
  ['create', 40],
  ['move', 10],
  ['read-todo', 20],
  ['list-todos', 20],
  ['health-db', 10],
];

/** Creates the run's two lists and enough todos for every move it may send. */
export async function seedChaosData(postgresUrl: string, requests: number): Promise<ChaosData> {
  const runId = `chaos-${process.pid.toString(36)}-${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const lists = await client.query<{ id: string }>(
      'insert into lists (name) values ($1), ($2) returning id',
      [`${runId} a`, `${runId} b`],
    );
    const [a, b] = lists.rows.map((row) => row.id) as [string, string];
    const pairs = Math.ceil(requests / 5) + 1;
    const todos = await client.query<{ id: string }>(
      `insert into todos (list_id, title)
       select $1, $2 || ' seeded ' || n from generate_series(0, $3::int) as n returning id`,
      [a, runId, pairs * 2],
    );
    const ids = todos.rows.map((row) => row.id);
    const movePairs = Array.from({ length: pairs }, (_, i) => ids.slice(1 + i * 2, 3 + i * 2));
    return { runId, listIds: [a, b], seededTodoId: ids[0] as string, movePairs };
  } finally {
    await client.end();
  }
}

/**
 * Plans `requests` operations in a fixed pseudo-random mix (seeded, so runs are comparable).
 * Every write carries a unique marker and an Idempotency-Key; one move in four names a todo
 * that does not exist, so its all-or-nothing rollback is exercised too.
 */
export function planOperations(data: ChaosData, requests: number, seed = 1): Operation[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const [a, b] = data.listIds;
  let moves = 0;
  return Array.from({ length: requests }, (_, seq): Operation => {
    const kind = pickKind(random() * 100);
    switch (kind) {
      case 'create':
        return {
          kind,
          title: `${data.runId} ${seq}`,
          idempotencyKey: `${data.runId}-${seq}-${randomUUID()}`,
          listId: seq % 2 ? a : b,
        };
      case 'move': {
        const todoIds = data.movePairs[moves++ % data.movePairs.length] as string[];
        return { kind, todoIds, bogusId: seq % 4 === 0 ? randomUUID() : undefined, from: a, to: b };
      }
      case 'read-todo':
        return { kind, todoId: data.seededTodoId };
      case 'list-todos':
        return { kind, listId: seq % 2 ? a : b };
      default:
        return { kind: 'health-db' };
    }
  });
}

function pickKind(roll: number): Operation['kind'] {
  let sum = 0;
  for (const [kind, share] of MIX) {
    sum += share;
    if (roll < sum) return kind;
  }
  return 'health-db';
}

/** The HTTP request for an operation; writes carry the bearer token and their key. */
export function toRequest(operations: Operation[], apiToken: string): RequestFactory {
  return (seq) => {
    const op = operations[seq] as Operation;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` };
    switch (op.kind) {
      case 'create':
        return {
          path: '/todos',
          init: {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': op.idempotencyKey },
            body: JSON.stringify({ listId: op.listId, title: op.title }),
          },
        };
      case 'move':
        return {
          path: '/todos/move',
          init: {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': `move-${seq}-${randomUUID()}` },
            body: JSON.stringify({
              todoIds: op.bogusId ? [...op.todoIds, op.bogusId] : op.todoIds,
              listId: op.to,
            }),
          },
        };
      case 'read-todo':
        return { path: `/todos/${op.todoId}` };
      case 'list-todos':
        return { path: `/todos?listId=${op.listId}&limit=10` };
      default:
        return { path: '/health/db' };
    }
  };
}
