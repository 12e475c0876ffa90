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

/**
 * A UUID in its canonical lower-case form. PostgreSQL compares uuids case-insensitively but the
 * app compares strings (duplicate checks, Idempotency-Key request hashes), so input is
 * lower-cased here, before anything else sees it.
 */
export function uuidInput() {
  return z.uuid().toLowerCase();
}

/** A uuid path parameter named `id`. */
export const IdParamsSchema = z.strictObject({
  id: uuidInput().openapi({
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

/**
 * The `Idempotency-Key` request header of idempotent creates. Registered as an OpenAPI
 * parameter component (src/routes/api.ts) and checked by `runIdempotent`, rather than declared
 * as the routes' `headers`, which would make `header` a required argument of the typed client.
 */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
  .openapi({
    param: { name: 'Idempotency-Key', in: 'header', required: false },
    description:
      'Retrying with the same key and body returns the first answer without creating again.',
  });

/** Route parameters entry that refers to {@link IdempotencyKeySchema}. */
export const IDEMPOTENCY_KEY_PARAMETER = { $ref: '#/components/parameters/IdempotencyKey' };

/** ISO 8601 UTC timestamp with microseconds, as stored by Postgres. */
export const TimestampSchema = z
  .string()
  .openapi({ format: 'date-time', example: '2026-01-31T12:00:00.123456Z' });
