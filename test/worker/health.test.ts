import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, envWith, logLineOf, useSiblingEndpoint } from './core-harness';

const endpoint = useSiblingEndpoint({ clearFaultsAfterEach: true });
let env: Env;
const { call } = buildApp();

beforeAll(() => {
  env = envWith({ DATABASE_URL: endpoint.databaseUrl, DB_RETRY_BASE_DELAY_MS: '20' });
});

describe('GET /health', () => {
  it('answers ok without touching the database', async () => {
    await endpoint.resetCounters();
    const result = await call('/health', { env });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ status: 'ok' });
    expect(await endpoint.counters()).toMatchObject({ roundTrips: 0, wsTotal: 0, httpRequests: 0 });
  });
});

describe('GET /health/db', () => {
  it('reports latency, driver, endpoint kind and server version in one round trip', async () => {
    await endpoint.resetCounters();
    const result = await call('/health/db', { env });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      status: 'ok',
      database: {
        latencyMs: expect.any(Number),
        driver: 'http',
        endpoint: 'local',
        serverVersion: expect.stringMatching(/^\d+/),
        attempts: 1,
      },
    });
    expect(await endpoint.counters()).toMatchObject({ roundTrips: 1, httpRequests: 1 });
  });

  it('waits out a cold start and reports its attempts', async () => {
    await endpoint.setFaults({ suspend: { failCount: 2 } });
    const result = await call('/health/db', { env });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ database: { attempts: 3 } });
    expect(logLineOf(result)).toMatchObject({ attempts: 3 });
  });

  it('answers 503 problem+json with Retry-After when the database does not answer', async () => {
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    const quick = envWith({ DATABASE_URL: endpoint.databaseUrl, DB_RETRY_DEADLINE_MS: '300' });
    const result = await call('/health/db', { env: quick });
    expect(result.status).toBe(503);
    expect(result.res.headers.get('Content-Type')).toBe('application/problem+json');
    expect(result.res.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(result.body).toMatchObject({
      code: 'database_unavailable',
      errors: [expect.objectContaining({ driver: 'http', endpoint: 'local', reason: 'transient' })],
    });
    expect(result.text).not.toContain('postgres:postgres');
    expect(result.text).not.toContain(endpoint.databaseUrl);
  });
});
