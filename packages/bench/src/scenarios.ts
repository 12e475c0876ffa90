import pg from 'pg';
import type { RequestFactory } from './load.ts';

/** Rows the read and write scenarios work on, seeded once before the first measurement. */
export interface BenchData {
  listIds: [string, string];
  todoId: string;
  /** Disjoint groups of todos, so concurrent moves do not wait on each other's row locks. */
  moveGroups: string[][];
}

/** One route as the benchmark calls it. `workers` names which Workers serve it. */
export interface Scenario {
  name: string;
  label: string;
  /** Statements the handler runs inside its transaction (for the k + 2 round-trip target). */
  statements: number;
  kind: 'none' | 'read' | 'write';
  makeRequest: RequestFactory;
  workers: readonly string[];
}

const MOVE_GROUPS = 64;
const MOVE_GROUP_SIZE = 3;

/** Seeds two lists and the todos the scenarios read and move, over a direct `pg` connection. */
export async function seedBenchData(postgresUrl: string): Promise<BenchData> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const tag = `bench-${process.pid}-${Date.now()}`;
    const lists = await client.query<{ id: string }>(
      'insert into lists (name) values ($1), ($2) returning id',
      [`${tag}-a`, `${tag}-b`],
    );
    const [a, b] = lists.rows.map((row) => row.id) as [string, string];
    const todos = await client.query<{ id: string }>(
      `insert into todos (list_id, title)
       select $1, 'seeded todo ' || n from generate_series(1, $2::int) as n returning id`,
      [a, MOVE_GROUPS * MOVE_GROUP_SIZE + 20],
    );
    const ids = todos.rows.map((row) => row.id);
    const moveGroups = Array.from({ length: MOVE_GROUPS }, (_, g) =>
      ids.slice(20 + g * MOVE_GROUP_SIZE, 20 + (g + 1) * MOVE_GROUP_SIZE),
    );
    return { listIds: [a, b], todoId: ids[0] as string, moveGroups };
  } finally {
    await client.end();
  }
}

/**
 * The six routes docs/benchmark.md measures (plus the idempotent create), with requests both the template and
 * the baseline accept. `statements` counts the SQL statements each handler runs.
 */
export function buildScenarios(data: BenchData, apiToken: string): Scenario[] {
  const dbWorkers = ['template', 'baseline'] as const;
  const write = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
    body: JSON.stringify(body),
  });
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let created = 0;
  return [
    {
      name: 'health',
      label: 'GET /health',
      statements: 0,
      kind: 'none',
      makeRequest: () => ({ path: '/health' }),
      workers: ['template', 'baseline', 'hello'],
    },
    {
      name: 'health-db',
      label: 'GET /health/db',
      statements: 1,
      kind: 'read',
      makeRequest: () => ({ path: '/health/db' }),
      workers: dbWorkers,
    },
    {
      name: 'read-todo',
      label: 'GET /todos/:id',
      statements: 1,
      kind: 'read',
      makeRequest: () => ({ path: `/todos/${data.todoId}` }),
      workers: dbWorkers,
    },
    {
      name: 'list-todos',
      label: 'GET /todos?listId=&limit=20',
      statements: 1,
      kind: 'read',
      makeRequest: () => ({ path: `/todos?listId=${data.listIds[0]}&limit=20` }),
      workers: dbWorkers,
    },
    {
      name: 'create-todo',
      label: 'POST /todos',
      statements: 1,
      kind: 'write',
      makeRequest: () => ({
        path: '/todos',
        init: write({ listId: data.listIds[1], title: `bench ${run} ${created++}` }),
      }),
      workers: dbWorkers,
    },
    {
      name: 'create-todo-idempotent',
      label: 'POST /todos with Idempotency-Key',
      statements: 3,
      kind: 'write',
      makeRequest: () => {
        const title = `bench ${run} ${created++}`;
        const init = write({ listId: data.listIds[1], title });
        init.headers = { ...init.headers, 'idempotency-key': `${run}-${created}` };
        return { path: '/todos', init };
      },
      workers: dbWorkers,
    },
    {
      name: 'move-todos',
      label: 'POST /todos/move (all-or-nothing)',
      statements: 2,
      kind: 'write',
      makeRequest: (seq) => ({
        path: '/todos/move',
        init: write({
          todoIds: data.moveGroups[seq % data.moveGroups.length],
          listId: data.listIds[seq % 2],
        }),
      }),
      workers: dbWorkers,
    },
  ];
}
