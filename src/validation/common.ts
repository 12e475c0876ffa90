import { z } from '@hono/zod-openapi';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

// Lone surrogates cannot be encoded as UTF-8 and U+0000 cannot be stored in a Postgres
// text column (SQLSTATE 22021), so both are rejected here instead of failing in the database.
const LONE_SURROGATE = /\p{Cs}/u;

/** Text of 1 to `max` code points, as `char_length` and JSON Schema count (zod's `.max()`: UTF-16). */
export function boundedText(max: number) {
  return z
    .string()
    .check((ctx) => {
      const length = [...ctx.value].length;
      for (const message of [
        length < 1 && 'must not be empty',
        length > max && `must be at most ${max} characters (got ${length})`,
        ctx.value.includes('\u0000') && 'must not contain U+0000',
        LONE_SURROGATE.test(ctx.value) && 'must be well-formed Unicode',
      ]) {
        if (message) ctx.issues.push({ code: 'custom', message, input: ctx.value });
      }
    })
    .openapi({ minLength: 1, maxLength: max });
}

/** A lower-cased UUID: Postgres compares uuids case-insensitively, the app's string checks do not. */
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

/** The `Idempotency-Key` header, a parameter component: as route `headers` the client would need it. */
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
