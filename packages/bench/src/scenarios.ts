import pg from 'pg';
import type { RequestFactory } from './load.ts';
import type { WorkerName } from './local-run.ts';

/** Rows the read and write scenarios work on, seeded once before the first measurement. */
export interface BenchData {
  listIds: [string, string];
  todoId: string;
  /** Disjoint groups of todos, so concurrent moves do not wait on each other's row locks. */
  moveGroups: string[][];
  /** Todos the PATCH scenario updates in turn, so concurrent updates rarely share a row. */
  patchIds: string[];
  /** Todos the DELETE scenario removes, each once. */
  deleteIds: string[];
}

/**
 * How a route reaches the database: `read` one HTTP query, `batch` one write batch (an HTTP
 * transaction), `interactive` the WebSocket transaction of `tx()`.
 */
export type ScenarioKind = 'none' | 'read' | 'batch' | 'interactive';

/** One route as the benchmark calls it. `workers` names which Workers serve it. */
export interface Scenario {
  name: string;
  label: string;
  /** SQL statements the handler runs (k), the receipt of a write batch not included. */
  statements: number;
  kind: ScenarioKind;
  /**
   * For `interactive`: how BEGIN travels. `pipelined` with the first statement (k + 2 round
   * trips), `explicit` as its own query when the driver's shape is not the one the hook knows
   * (k + 3).
   */
  beginMode?: 'pipelined' | 'explicit';
  makeRequest: RequestFactory;
  workers: readonly string[];
  /** A column served by another Worker than its name (the template's explicit-BEGIN fallback). */
  servedBy?: Partial<Record<string, WorkerName>>;
}

const MOVE_GROUPS = 64;
const MOVE_GROUP_SIZE = 3;
const PATCH_TODOS = 64;
const READ_TODOS = 20;

/**
 * Seeds two lists and the todos the scenarios read, move, update and delete (`deletes` of
 * them for the DELETE scenario), over a direct `pg` connection.
 */
export async function seedBenchData(postgresUrl: string, deletes: number): Promise<BenchData> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const tag = `bench-${process.pid}-${Date.now()}`;
    const lists = await client.query<{ id: string }>(
      'insert into lists (name) values ($1), ($2) returning id',
      [`${tag}-a`, `${tag}-b`],
    );
    const [a, b] = lists.rows.map((row) => row.id) as [string, string];
    const moveCount = MOVE_GROUPS * MOVE_GROUP_SIZE;
    const todos = await client.query<{ id: string }>(
      `insert into todos (list_id, title)
       select $1, 'seeded todo ' || n from generate_series(1, $2::int) as n returning id`,
      [a, READ_TODOS + moveCount + PATCH_TODOS + deletes],
    );
    const ids = todos.rows.map((row) => row.id);
    const moveIds = ids.slice(READ_TODOS, READ_TODOS + moveCount);
    const moveGroups = Array.from({ length: MOVE_GROUPS }, (_, g) =>
      moveIds.slice(g * MOVE_GROUP_SIZE, (g + 1) * MOVE_GROUP_SIZE),
    );
    const patchEnd = READ_TODOS + moveCount + PATCH_TODOS;
    return {
      listIds: [a, b],
      todoId: ids[0] as string,
      moveGroups,
      patchIds: ids.slice(READ_TODOS + moveCount, patchEnd),
      deleteIds: ids.slice(patchEnd),
    };
  } finally {
    await client.end();
  }
}

/**
 * The routes docs/benchmark.md measures, with requests both the template and the baseline
 * accept: the reads, every Todo write (on the template's write-batch path) and one
 * interactive write (`POST /lists`, which stays on `tx()`). `statements` counts the SQL
 * statements each handler runs.
 */
export function buildScenarios(data: BenchData, apiToken: string): Scenario[] {
  const dbWorkers = ['template', 'baseline'] as const;
  const send = (method: string, body?: unknown): RequestInit => ({
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let created = 0;
  let deleted = 0;
  // POST /lists stays on tx(): measured with the pipelined BEGIN and with the explicit fallback.
  const createList = {
    statements: 1,
    kind: 'interactive',
    makeRequest: () => ({
      path: '/lists',
      init: send('POST', { name: `bench ${run} ${created++}` }),
    }),
    workers: dbWorkers,
  } as const;
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
      kind: 'batch',
      makeRequest: () => ({
        path: '/todos',
        init: send('POST', { listId: data.listIds[1], title: `bench ${run} ${created++}` }),
      }),
      workers: dbWorkers,
    },
    {
      name: 'create-todo-idempotent',
      label: 'POST /todos with Idempotency-Key',
      statements: 3,
      kind: 'batch',
      makeRequest: () => {
        const init = send('POST', { listId: data.listIds[1], title: `bench ${run} ${created++}` });
        init.headers = { ...init.headers, 'idempotency-key': `${run}-${created}` };
        return { path: '/todos', init };
      },
      workers: dbWorkers,
    },
    {
      name: 'update-todo',
      label: 'PATCH /todos/:id',
      statements: 1,
      kind: 'batch',
      makeRequest: (seq) => ({
        path: `/todos/${data.patchIds[seq % data.patchIds.length]}`,
        init: send('PATCH', { completed: seq % 2 === 0 }),
      }),
      workers: dbWorkers,
    },
    {
      name: 'delete-todo',
      label: 'DELETE /todos/:id',
      statements: 1,
      kind: 'batch',
      makeRequest: () => {
        const id = data.deleteIds[deleted++];
        if (id === undefined) throw new Error('the DELETE scenario ran out of seeded todos');
        return { path: `/todos/${id}`, init: send('DELETE') };
      },
      workers: dbWorkers,
    },
    {
      name: 'move-todos',
      label: 'POST /todos/move (all-or-nothing)',
      statements: 2,
      kind: 'batch',
      makeRequest: (seq) => ({
        path: '/todos/move',
        init: send('POST', {
          todoIds: data.moveGroups[seq % data.moveGroups.length],
          listId: data.listIds[seq % 2],
        }),
      }),
      workers: dbWorkers,
    },
    {
      ...createList,
      name: 'interactive-create',
      label: 'POST /lists (interactive tx())',
      beginMode: 'pipelined',
    },
    {
      ...createList,
      name: 'interactive-create-explicit',
      label: 'POST /lists (tx(), explicit BEGIN fallback)',
      beginMode: 'explicit',
      servedBy: { template: 'template-explicit' },
    },
  ];
}

/** Requests one run of a scenario sends: warmup plus one load per concurrency, per latency. */
export function requestsPerScenario(options: {
  latencies: number[];
  concurrencies: number[];
  requests: number;
  warmup: number;
}): number {
  const perLatency =
    options.warmup +
    options.concurrencies.reduce(
      (sum, c) => sum + (c === 1 ? options.requests : Math.max(options.requests, c * 4)),
      0,
    );
  return perLatency * options.latencies.length;
}
