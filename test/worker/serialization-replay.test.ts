import { count, eq, like } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { buildApp, checkDb, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

/** Holds the first two arrivals until both are there; later arrivals (replays) pass at once. */
const barriers = new Map<string, { arrived: number; open: Promise<void>; release: () => void }>();
function meetAt(key: string): Promise<void> {
  let barrier = barriers.get(key);
  if (!barrier) {
    let release = () => {};
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    barrier = { arrived: 0, open, release };
    barriers.set(key, barrier);
  }
  barrier.arrived += 1;
  if (barrier.arrived >= 2) barrier.release();
  return barrier.open;
}

const routes = new Hono<AppEnv>();
// Write skew: each reads how many rows the group has, then adds one named after that count.
routes.post('/s/claim', async (c) => {
  const { group, who } = await c.req.json<{ group: string; who: string }>();
  const db = await c.var.tx({ isolationLevel: 'serializable' });
  const [row] = await db
    .select({ n: count() })
    .from(lists)
    .where(like(lists.name, `${group}%`));
  await meetAt(group);
  await db.insert(lists).values({ name: `${group}-${row?.n}-${who}` });
  return c.json({ seen: row?.n }, 201);
});
// Deadlock: two handlers rename the same two rows in opposite orders.
routes.post('/s/swap', async (c) => {
  const { first, second, key } = await c.req.json<{ first: string; second: string; key: string }>();
  const db = await c.var.tx();
  await db.update(lists).set({ updatedAt: 'now()' }).where(eq(lists.name, first));
  await meetAt(key);
  await db.update(lists).set({ updatedAt: 'now()' }).where(eq(lists.name, second));
  return c.json({ ok: true });
});

const endpoint = useSiblingEndpoint({
  appName: `serialization-replay-${crypto.randomUUID().slice(0, 8)}`,
});
const { postJson } = buildApp(routes);

async function namesIn(group: string): Promise<string[]> {
  const rows = await checkDb().query('select name from lists where name like $1 order by name', [
    `${group}%`,
  ]);
  return rows.map((r) => r.name as string);
}

describe('serialization failures', () => {
  it('ends two conflicting SERIALIZABLE transactions correctly by replaying one', async () => {
    const env = endpoint.env();
    const group = uniqueName('skew');
    const [a, b] = await Promise.all([
      postJson('/s/claim', { group, who: 'a' }, env),
      postJson('/s/claim', { group, who: 'b' }, env),
    ]);
    expect([a?.status, b?.status]).toEqual([201, 201]);
    const seen = [a?.body.seen, b?.body.seen].sort();
    expect(seen).toEqual([0, 1]);
    const runs = [logLineOf(a as never).runs, logLineOf(b as never).runs].sort();
    expect(runs).toEqual([1, 2]);
    const names = await namesIn(group);
    expect(names).toHaveLength(2);
    expect(names.map((n) => n.split('-').at(-2)).sort()).toEqual(['0', '1']);
  });

  it('answers 503 transaction_conflict once the attempts are used up, and writes nothing for it', async () => {
    const env = endpoint.env({ DB_MAX_TX_ATTEMPTS: '1' });
    const group = uniqueName('skew-once');
    const results = await Promise.all([
      postJson('/s/claim', { group, who: 'a' }, env),
      postJson('/s/claim', { group, who: 'b' }, env),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 503]);
    const failed = results.find((r) => r.status === 503);
    expect(failed?.body).toMatchObject({ code: 'transaction_conflict' });
    expect(failed?.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(logLineOf(failed as never)).toMatchObject({ sqlState: '40001', runs: 1 });
    expect(await namesIn(group)).toHaveLength(1);
  });

  it('replays the loser of a deadlock (40P01)', async () => {
    const env = endpoint.env();
    const [x, y] = [uniqueName('dl-x'), uniqueName('dl-y')];
    await checkDb().query('insert into lists (name) values ($1), ($2)', [x, y]);
    const key = uniqueName('deadlock');
    const results = await Promise.all([
      postJson('/s/swap', { first: x, second: y, key }, env),
      postJson('/s/swap', { first: y, second: x, key }, env),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const runs = results.map((r) => logLineOf(r).runs).sort();
    expect(runs).toEqual([1, 2]);
  });
});
