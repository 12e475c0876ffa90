import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { buildApp, countLists, logLineOf, uniqueName, useSiblingEndpoint } from './core-harness';

const endpoint = useSiblingEndpoint({
  clearFaultsAfterEach: true,
  appName: `reply-timeout-${crypto.randomUUID().slice(0, 8)}`,
});

// After its first statement the handler makes the endpoint hold every later client burst for
// longer than the reply timeout (connect 100 ms + statement 100 ms): a socket gone silent.
const SILENCE_MS = 1_500;

const routes = new Hono<AppEnv>();
routes.post('/s/create', async (c) => {
  const { names, silentAt } = await c.req.json<{ names: string[]; silentAt: number }>();
  const db = await c.var.tx();
  for (const [i, name] of names.entries()) {
    if (i === silentAt) await endpoint.setFaults({ latencyMs: SILENCE_MS });
    await db.insert(lists).values({ name });
  }
  if (silentAt === names.length) await endpoint.setFaults({ latencyMs: SILENCE_MS });
  return c.json({ created: names.length }, 201);
});

const { postJson } = buildApp(routes);

const create = (names: string[], silentAt: number) =>
  postJson(
    '/s/create',
    { names, silentAt },
    endpoint.env({
      DB_CONNECT_TIMEOUT_MS: '100',
      DB_STATEMENT_TIMEOUT_MS: '100',
      // One run: a write that died before COMMIT is otherwise replayed (write-replay.test.ts),
      // and the endpoint here stays silent for the replay too.
      DB_MAX_TX_ATTEMPTS: '1',
    }),
  );

describe('a session that stops answering', () => {
  it('gives up on a statement after the reply timeout and saves nothing', async () => {
    const names = [uniqueName('silent-1'), uniqueName('silent-2')];
    const result = await create(names, 1);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable' });
    expect(logLineOf(result)).toMatchObject({
      errorName: 'ReplyTimeoutError',
      outcome: 'rolled_back',
    });
    await endpoint.clearFaults();
    await endpoint.waitForIdle();
    expect(await countLists(names)).toBe(0);
  });

  it('settles a COMMIT with no reply like a lost one: 503 commit_unknown', async () => {
    const names = [uniqueName('silent-commit')];
    const result = await create(names, 1);
    expect(result.status).toBe(503);
    expect(result.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(result.body).toMatchObject({ code: 'commit_unknown' });
    // The lookup over HTTP is held back too, so the outcome stays unknown.
    expect(logLineOf(result)).toMatchObject({ outcome: 'unknown', commitLookup: 'unknown' });
    await endpoint.clearFaults();
    await endpoint.waitForIdle();
    // The endpoint delivers the held COMMIT before closing: "unknown" meant "saved" this time,
    // which is why a client retries a create with the same Idempotency-Key.
    expect(await countLists(names)).toBe(1);
  });
});
