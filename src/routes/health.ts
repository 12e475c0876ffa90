import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../config';
import { classifyDatabaseError } from '../db/classify-error';
import { httpSql } from '../db/driver-settings';
import { ApiError } from '../errors';
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from '../problem';
import { jsonResponse, ProblemSchema } from './openapi-builders';

const LivenessSchema = z.object({ status: z.literal('ok') }).openapi('Liveness');

const probeFields = {
  driver: z.literal('http'),
  endpoint: z.enum(['pooled', 'direct', 'local']),
  attempts: z.number().int().openapi({ description: 'Always 1: the check never retries.' }),
};

const ReadinessSchema = z
  .object({
    status: z.literal('ok'),
    database: z.object({
      latencyMs: z.number().int().openapi({ description: 'Time of the SELECT 1 round trip.' }),
      serverVersion: z.string().openapi({ example: '17.5' }),
      ...probeFields,
    }),
  })
  .openapi('Readiness');

// Not an extension of Problem (an allOf): its `errors` are validation failures, these are not.
const HealthProblemSchema = ProblemSchema.omit({ errors: true })
  .extend({
    errors: z.array(
      z.object({
        reason: z.string().openapi({ description: 'The error kind, e.g. `transient`.' }),
        sqlState: z.string().optional(),
        ...probeFields,
      }),
    ),
  })
  .openapi('HealthProblem');

const liveness = createRoute({
  operationId: 'checkLiveness',
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness: the Worker answers (no database)',
  security: [],
  responses: { 200: jsonResponse('The Worker is up.', LivenessSchema) },
});

const readiness = createRoute({
  operationId: 'checkReadiness',
  method: 'get',
  path: '/health/db',
  tags: ['health'],
  summary: 'Readiness: one SELECT 1, a single attempt bounded by the connect timeout',
  security: [],
  responses: {
    200: jsonResponse('The database answered.', ReadinessSchema),
    503: {
      description: 'The database did not answer; retry after `Retry-After` seconds.',
      content: { 'application/problem+json': { schema: HealthProblemSchema } },
    },
  },
});

/** Liveness (`/health`, no database) and readiness (`/health/db`, one round trip). */
export const health = new OpenAPIHono<AppEnv>();

health.openapi(liveness, (c) => c.json({ status: 'ok' as const }, 200));

// A single attempt, not c.var.http(): the route is anonymous, so in an outage a call costs at most
// one connect. Neon's proxy holds a request to a suspended compute until it wakes.
health.openapi(readiness, async (c) => {
  const config = loadConfig(c.env);
  const trace = c.var.trace;
  const started = Date.now();
  trace.attempts += 1;
  const probe = {
    driver: 'http',
    endpoint: config.endpointKind,
    attempts: trace.attempts,
  } as const;
  try {
    const rows = await httpSql(config).query(
      "SELECT 1 AS ok, current_setting('server_version') AS server_version",
      [],
      { fetchOptions: { signal: AbortSignal.timeout(config.connectTimeoutMs) } },
    );
    const latencyMs = Date.now() - started;
    trace.queryMs += latencyMs;
    const serverVersion = String(rows[0]?.server_version ?? '');
    return c.json({ status: 'ok' as const, database: { latencyMs, serverVersion, ...probe } }, 200);
  } catch (error) {
    // 503, never 200: a monitor must see an unhealthy database. Only the error's kind is shown.
    const { kind, sqlState } = classifyDatabaseError(error);
    throw new ApiError(503, 'database_unavailable', 'The database did not answer SELECT 1.', {
      cause: error,
      headers: { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS) },
      details: [{ reason: kind, sqlState, ...probe }],
    });
  }
});
