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

  it('waits out a compute that wakes within one attempt', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 300 } });
    const result = await call('/health/db', { env });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ database: { attempts: 1 } });
    expect(logLineOf(result)).toMatchObject({ attempts: 1 });
  });

  it('makes one attempt per call during an outage, so callers cannot multiply the load', async () => {
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    await endpoint.resetCounters();
    const result = await call('/health/db', { env });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable', errors: [{ attempts: 1 }] });
    expect(logLineOf(result)).toMatchObject({ attempts: 1 });
    expect(await endpoint.counters()).toMatchObject({ httpRequests: 1, roundTrips: 1 });
  });

  it('gives up on a database that does not answer after the connect timeout', async () => {
    await endpoint.setFaults({ suspend: { waitMs: 2_000 } });
    const quick = envWith({ DATABASE_URL: endpoint.databaseUrl, DB_CONNECT_TIMEOUT_MS: '200' });
    const result = await call('/health/db', { env: quick });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'database_unavailable', errors: [{ attempts: 1 }] });
    await endpoint.clearFaults();
  });

  it('answers 503 problem+json with Retry-After when the database does not answer', async () => {
    await endpoint.setFaults({ suspend: { failCount: 'forever' } });
    const result = await call('/health/db', { env });
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

describe.each(['/health', '/health/db'])('%s headers', (path) => {
  it('carries the secure headers every other route carries', async () => {
    const result = await call(path, { env });
    expect(result.res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(result.res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(result.res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });

  it('answers CORS like the rest: an allowed origin only', async () => {
    const cors = envWith({ DATABASE_URL: endpoint.databaseUrl, CORS_ORIGINS: 'https://app.test' });
    const allowed = await call(path, { env: cors, headers: { Origin: 'https://app.test' } });
    expect(allowed.res.headers.get('Access-Control-Allow-Origin')).toBe('https://app.test');
    const foreign = await call(path, { env: cors, headers: { Origin: 'https://evil.test' } });
    expect(foreign.res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
