import type { Client } from '@neondatabase/serverless';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/app-env';
import { lists } from '../../src/db/schema';
import { endClient } from '../../src/db/ws-client';
import {
  buildApp,
  busyBackends,
  countLists,
  envWith,
  harnessSession,
  logLineOf,
  uniqueName,
  useSiblingEndpoint,
} from './core-harness';

// Each case changes one internal of node-postgres inside the driver, as an upgrade could, through
// the transaction middleware's documented `prepareClient` option. Nothing else is touched.
type Internals = Record<string | symbol, unknown> & { connection: object };
const internalsOf = (client: Client) => client as unknown as Internals;

/** pg 8.16+: the query lives in an own `_activeQuery`; `activeQuery` is a deprecated accessor. */
function renameActiveQuery(client: Client): void {
  const internals = internalsOf(client);
  internals._activeQuery = null;
  Object.defineProperty(internals, 'activeQuery', {
    get: () => internals._activeQuery,
    set: (query: unknown) => {
      internals._activeQuery = query;
    },
  });
}

/** The driver keeps working, but its active query is nowhere the hook knows to look. */
function hideActiveQuery(client: Client): void {
  const internals = internalsOf(client);
  const slot = Symbol('active query');
  Object.defineProperty(internals, 'activeQuery', {
    get: () => internals[slot],
    set: (query: unknown) => {
      internals[slot] = query;
    },
  });
}

/** `parse` still looks inherited, but assigning the hook to it is silently ignored. */
function freezeParse(client: Client): void {
  const wire = internalsOf(client).connection;
  const proto = Object.getPrototypeOf(wire) as { parse: unknown };
  const { parse } = proto;
  const frozen = Object.create(proto, { parse: { get: () => parse, set: () => {} } });
  Object.setPrototypeOf(wire, frozen);
}

const routes = new Hono<AppEnv>();
routes.post('/ds/create', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  return c.json({ name }, 201);
});
routes.post('/ds/refuse', async (c) => {
  const { name } = await c.req.json<{ name: string }>();
  const db = await c.var.tx();
  await db.insert(lists).values({ name });
  return c.json({ refused: name }, 422);
});

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
const appName = `driver-shape-${crypto.randomUUID().slice(0, 8)}`;
const env = () => envWith({ DATABASE_URL: endpoint.databaseUrl, APP_NAME: appName });

let admin: Client;
beforeAll(async () => {
  admin = await harnessSession();
});
afterAll(async () => {
  if (admin) await endClient(admin);
});

/** Sessions of this file's app still open in a transaction (idle in transaction, or running). */
const openTransactions = () => busyBackends(admin, appName);

/** Posts `name` to `path` on a fresh app, and returns the result with its endpoint round trips. */
async function post(app: ReturnType<typeof buildApp>, path: string, name: string) {
  await endpoint.waitForIdle();
  await endpoint.resetCounters();
  const result = await app.postJson(path, { name }, env());
  const { roundTrips } = await endpoint.waitForIdle();
  return { ...result, roundTrips, line: logLineOf(result) };
}

describe('the pipelined BEGIN on a changed driver', () => {
  it('finds the active query under _activeQuery, as pg 8.16 keeps it: still k + 2', async () => {
    const app = buildApp(routes, { prepareClient: renameActiveQuery });
    const name = uniqueName('shape-renamed');
    const created = await post(app, '/ds/create', name);
    expect(created.status, created.text).toBe(201);
    expect(created.line).toMatchObject({ beginMode: 'pipelined', outcome: 'committed' });
    expect(created.roundTrips).toBe(1 + 2);
    expect(await countLists([name])).toBe(1);
  });

  it('falls back to an explicit BEGIN when the active query is hidden: k + 3', async () => {
    const app = buildApp(routes, { prepareClient: hideActiveQuery });
    const name = uniqueName('shape-hidden');
    const created = await post(app, '/ds/create', name);
    expect(created.status, created.text).toBe(201);
    expect(created.line).toMatchObject({ beginMode: 'explicit', outcome: 'committed' });
    expect(created.roundTrips).toBe(1 + 3);
    expect(await countLists([name])).toBe(1);

    const refusedName = uniqueName('shape-hidden-4xx');
    const refused = await post(app, '/ds/refuse', refusedName);
    expect(refused.status).toBe(422);
    expect(refused.line).toMatchObject({ beginMode: 'explicit', outcome: 'rolled_back' });
    expect(await countLists([refusedName])).toBe(0);
    expect(await openTransactions()).toBe(0);
  });

  it('opens the same request with an explicit BEGIN when the query moves after the check', async () => {
    // The shape is checked before connect(); here it changes only once connect() runs.
    const moveOnConnect = (client: Client) => {
      const connect = client.connect.bind(client);
      Object.assign(client, {
        connect: () => {
          hideActiveQuery(client);
          return connect();
        },
      });
    };
    const app = buildApp(routes, { prepareClient: moveOnConnect });
    const name = uniqueName('shape-moved');
    const created = await post(app, '/ds/create', name);
    expect(created.status, created.text).toBe(201);
    expect(created.line).toMatchObject({ beginMode: 'explicit', outcome: 'committed', runs: 1 });
    expect(await countLists([name])).toBe(1);
    expect(await openTransactions()).toBe(0);
  });

  it('refuses to send a statement the hook did not wrap: 500, nothing ran', async () => {
    const app = buildApp(routes, { prepareClient: freezeParse });
    const name = uniqueName('shape-frozen');
    const result = await post(app, '/ds/create', name);
    expect(result.status, JSON.stringify(result.line)).toBe(500);
    expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
    expect(result.body).toMatchObject({ code: 'transaction_unavailable' });
    expect(result.line).toMatchObject({ beginMode: 'pipelined', errorName: 'DriverShapeError' });
    expect(await countLists([name])).toBe(0);
    expect(await openTransactions()).toBe(0);
  });

  it('keeps the pinned driver on the pipelined path', async () => {
    const app = buildApp(routes);
    const name = uniqueName('shape-pinned');
    const created = await post(app, '/ds/create', name);
    expect(created.status, created.text).toBe(201);
    expect(created.line).toMatchObject({ beginMode: 'pipelined' });
    expect(created.roundTrips).toBe(1 + 2);
  });
});
