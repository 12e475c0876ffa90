import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { buildApp, countLists, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

/** A latch between a route's two statements: the first run of `name` waits there once. */
const gaps = new Map<string, { reached: () => void; release: Promise<void> }>();

const routes = new Hono<AppEnv>();
routes.post('/wr/two', async (c) => {
  const { name, readOverHttp } = await c.req.json<{ name: string; readOverHttp?: boolean }>();
  // An http() query outside GET/HEAD commits on its own: the run is no longer safe to repeat.
  if (readOverHttp) await c.var.http().select({ id: lists.id }).from(lists).limit(1);
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  const gap = gaps.get(name);
  gaps.delete(name);
  if (gap) {
    gap.reached();
    await gap.release;
  }
  await db.select({ id: lists.id }).from(lists).where(eq(lists.name, name));
  return c.json({ name }, 201);
});

const endpoint = useSiblingEndpoint({ appName: `write-replay-${crypto.randomUUID().slice(0, 8)}` });
const { postJson } = buildApp(routes);

/** Posts to the two-statement route and terminates its session between the statements. */
async function terminateInTheGap(name: string, readOverHttp = false) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    gaps.set(name, { reached: resolve, release: released });
  });
  const pending = postJson('/wr/two', { name, readOverHttp }, endpoint.env());
  await reached;
  // PostgreSQL ends the backend (57P01) as a compute restart does; resolves once it is closed.
  expect(await endpoint.terminate()).toBe(1);
  release();
  return pending;
}

describe('a write whose session died before COMMIT', () => {
  it('runs the request again: 201, two runs, exactly one row', async () => {
    const name = uniqueName('replay-terminated');
    const result = await terminateInTheGap(name);
    expect(result.status, result.text).toBe(201);
    expect(logLineOf(result)).toMatchObject({ runs: 2, outcome: 'committed' });
    expect(await countLists([name])).toBe(1);
  });

  it('is not run again when an http() query of the same run may have committed', async () => {
    const name = uniqueName('replay-http');
    const result = await terminateInTheGap(name, true);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    expect(logLineOf(result)).toMatchObject({ runs: 1, outcome: 'rolled_back', sqlState: '57P01' });
    expect(await countLists([name])).toBe(0);
  });
});
