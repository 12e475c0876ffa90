import { type ClientBase, neonConfig, Pool } from '@neondatabase/serverless';
import { type Context, Hono } from 'hono';
import { refuseWebPages } from './loopback-only.ts';

/**
 * The BASELINE the benchmark compares the template with: database access written the way
 * Neon's driver README and the Workers guides show it. Every request builds a `Pool`, takes
 * a client with `connect()`, wraps its SQL in BEGIN/COMMIT and ends the pool with
 * `ctx.waitUntil(pool.end())`. Same routes, SQL and JSON shapes as the template; none of
 * its retry, error mapping or HTTP-driver reads.
 */
type BaselineEnv = { Bindings: { DATABASE_URL: string } };

const TODO_COLUMNS =
  'id, list_id as "listId", title, completed, created_at as "createdAt", updated_at as "updatedAt"';

const app = new Hono<BaselineEnv>();

app.get('/health', (c) => c.json({ status: 'ok' }));

app.get('/health/db', (c) =>
  inTransaction(c, async (client) => {
    const started = Date.now();
    const { rows } = await client.query('select 1 as ok, current_setting($1) as version', [
      'server_version',
    ]);
    return c.json({ status: 'ok', latencyMs: Date.now() - started, version: rows[0].version });
  }),
);

app.get('/todos/:id', (c) =>
  inTransaction(c, async (client) => {
    const { rows } = await client.query(`select ${TODO_COLUMNS} from todos where id = $1`, [
      c.req.param('id'),
    ]);
    return rows[0] ? c.json(rows[0]) : c.json({ error: 'not found' }, 404);
  }),
);

app.get('/todos', (c) =>
  inTransaction(c, async (client) => {
    const limit = Number(c.req.query('limit') ?? 20);
    const { rows } = await client.query(
      `select ${TODO_COLUMNS} from todos where list_id = $1 order by created_at, id limit $2`,
      [c.req.query('listId'), limit + 1],
    );
    return c.json({ items: rows.slice(0, limit), nextCursor: null });
  }),
);

app.post('/todos', async (c) => {
  const input = await c.req.json<{ listId: string; title: string }>();
  const key = c.req.header('idempotency-key');
  return inTransaction(c, async (client) => {
    // The same three statements as the template's idempotent create: claim, insert, record.
    if (key) {
      const claimed = await client.query(
        'insert into idempotency_keys (key, request_hash) values ($1, $2) on conflict do nothing returning key',
        [key, JSON.stringify(input)],
      );
      if (claimed.rows.length === 0) {
        const { rows } = await client.query('select body from idempotency_keys where key = $1', [
          key,
        ]);
        return c.json(rows[0]?.body, 201);
      }
    }
    const { rows } = await client.query(
      `insert into todos (list_id, title) values ($1, $2) returning ${TODO_COLUMNS}`,
      [input.listId, input.title],
    );
    if (key) {
      await client.query('update idempotency_keys set status = 201, body = $2 where key = $1', [
        key,
        JSON.stringify(rows[0]),
      ]);
    }
    return c.json(rows[0], 201);
  });
});

app.post('/todos/move', async (c) => {
  const input = await c.req.json<{ todoIds: string[]; listId: string }>();
  return inTransaction(c, async (client) => {
    const { rows } = await client.query(
      `update todos set list_id = $1, updated_at = now() where id = any($2::uuid[]) returning ${TODO_COLUMNS}`,
      [input.listId, input.todoIds],
    );
    // All or nothing: a missing todo aborts the move (the caller rolls back).
    if (rows.length !== input.todoIds.length) throw new Error('some todos do not exist');
    await client.query('update lists set updated_at = now() where id = $1', [input.listId]);
    return c.json({ items: rows });
  });
});

app.patch('/todos/:id', async (c) => {
  const input = await c.req.json<{ title?: string; completed?: boolean }>();
  return inTransaction(c, async (client) => {
    const { rows } = await client.query(
      `update todos set title = coalesce($2, title), completed = coalesce($3, completed),
       updated_at = now() where id = $1 returning ${TODO_COLUMNS}`,
      [c.req.param('id'), input.title ?? null, input.completed ?? null],
    );
    return rows[0] ? c.json(rows[0]) : c.json({ error: 'not found' }, 404);
  });
});

app.delete('/todos/:id', (c) =>
  inTransaction(c, async (client) => {
    const { rows } = await client.query('delete from todos where id = $1 returning id', [
      c.req.param('id'),
    ]);
    return rows[0] ? c.body(null, 204) : c.json({ error: 'not found' }, 404);
  }),
);

app.post('/lists', async (c) => {
  const input = await c.req.json<{ name: string }>();
  return inTransaction(c, async (client) => {
    const { rows } = await client.query(
      'insert into lists (name) values ($1) returning id, name, created_at as "createdAt", updated_at as "updatedAt"',
      [input.name],
    );
    return c.json(rows[0], 201);
  });
});

async function inTransaction(
  c: Context<BaselineEnv>,
  work: (client: ClientBase) => Promise<Response>,
): Promise<Response> {
  useLocalEndpointWhenLoopback(c.env.DATABASE_URL);
  const pool = new Pool({ connectionString: c.env.DATABASE_URL });
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const response = await work(client);
      await client.query('COMMIT');
      return response;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } finally {
    c.executionCtx.waitUntil(pool.end());
  }
}

// Only the bench's loopback endpoint needs these; against Neon the driver defaults apply.
function useLocalEndpointWhenLoopback(databaseUrl: string) {
  const { hostname } = new URL(databaseUrl);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') return;
  neonConfig.fetchEndpoint = (host, port) => `http://${host}:${port}/sql`;
  neonConfig.wsProxy = (host, port) => `${host}:${port}/v2`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
}

export default {
  fetch: (...args: Parameters<typeof app.fetch>) => refuseWebPages(args[0]) ?? app.fetch(...args),
};
