import { z } from '@hono/zod-openapi';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

// Lone surrogates cannot be encoded as UTF-8 and U+0000 cannot be stored in a Postgres
// text column (SQLSTATE 22021), so both are rejected here instead of failing in the database.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A text field limited to `max` characters counted as Unicode code points, which is what both
 * Postgres `char_length` and JSON Schema `maxLength` count (zod's `.max()` counts UTF-16 units).
 */
export function boundedText(max: number) {
  return z
    .string()
    .check((ctx) => {
      const length = [...ctx.value].length;
      if (length < 1)
        ctx.issues.push({ code: 'custom', message: 'must not be empty', input: ctx.value });
      if (length > max)
        ctx.issues.push({
          code: 'custom',
          message: `must be at most ${max} characters (got ${length})`,
          input: ctx.value,
        });
      if (ctx.value.includes('\u0000'))
        ctx.issues.push({ code: 'custom', message: 'must not contain U+0000', input: ctx.value });
      if (LONE_SURROGATE.test(ctx.value))
        ctx.issues.push({
          code: 'custom',
          message: 'must be well-formed Unicode',
          input: ctx.value,
        });
    })
    .openapi({ minLength: 1, maxLength: max });
}

/** A uuid path parameter named `id`. */
export const IdParamsSchema = z.strictObject({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '0b0e3b4e-5d4a-4c1e-9f6b-2a7d3c1e8f00',
  }),
});

/** `limit` and `cursor`: keyset pagination over (created_at, id). */
export const pageQueryShape = {
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
    }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'Opaque: pass `nextCursor` from the previous page unchanged.',
    }),
};

/** The `Idempotency-Key` request header of idempotent creates. */
export const IdempotencyHeadersSchema = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .openapi({
      param: { in: 'header' },
      description:
        'Retrying with the same key and body returns the first answer without creating again.',
    }),
});

/** An `application/problem+json` error body (RFC 9457) with a stable `code`. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Validation failures: one entry per field.' }),
  })
  .openapi('Problem');

const PROBLEM_DESCRIPTIONS = {
  400: 'Invalid input; `detail` and `errors` name each field and what was wrong.',
  401: 'Missing or invalid `Authorization: Bearer <API_TOKEN>`.',
  404: 'No such resource.',
  409: 'Conflict: a duplicate name, or a referenced list that does not exist.',
  413: 'The request body is larger than the limit.',
  415: 'The request body is not `application/json`.',
  422: 'The `Idempotency-Key` was already used for a different request.',
  503: 'The database is unavailable; retry after `Retry-After` seconds.',
} as const;

type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** The problem+json response entries of a route, one per listed status. */
export function problemResponses<TStatus extends ProblemStatus>(...statuses: TStatus[]) {
  const entries = statuses.map((status) => [
    status,
    {
      description: PROBLEM_DESCRIPTIONS[status],
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  ]);
  return Object.fromEntries(entries) as {
    [K in TStatus]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof ProblemSchema } };
    };
  };
}

/** Requirement of routes that need the bearer token. */
export const BEARER_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }];
/** Reads: public unless READS_REQUIRE_AUTH is "true". */
export const OPTIONAL_BEARER_SECURITY: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

/** A JSON response entry. */
export function jsonResponse<TSchema>(description: string, schema: TSchema) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body. */
export function jsonBody<TSchema>(schema: TSchema) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** ISO 8601 UTC timestamp with microseconds, as stored by Postgres. */
export const TimestampSchema = z
  .string()
  .openapi({ format: 'date-time', example: '2026-01-31T12:00:00.123456Z' });
