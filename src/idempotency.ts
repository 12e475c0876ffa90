import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from './app-env';
import { idempotencyKeys } from './db/schema';
import { ApiError } from './errors';
import { IdempotencyKeySchema } from './validation/common';
import { toValidationError } from './validation/hook';

/** The request's `Idempotency-Key`, if it sent one; a malformed key is a 400. */
export function readIdempotencyKey(c: Context<AppEnv>): string | undefined {
  const raw = c.req.header('Idempotency-Key');
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: ['Idempotency-Key', ...i.path] }));
    throw toValidationError('header', issues);
  }
  return parsed.data;
}

/** SHA-256 of method, path and validated body: what a key is bound to. */
export async function hashRequest(c: Context<AppEnv>, body: unknown): Promise<string> {
  const text = JSON.stringify([c.req.method, c.req.path, body]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs `create` at most once per `Idempotency-Key`, in the request's transaction. The claim
 * (ON CONFLICT DO NOTHING) makes a concurrent request with the key wait for the first to commit
 * and then read its answer; a failed create rolls its claim back, so a retry runs again.
 */
export async function runIdempotent<TBody>(
  c: Context<AppEnv>,
  validatedBody: unknown,
  create: () => Promise<TBody>,
): Promise<{ body: TBody; replayed: boolean }> {
  const key = readIdempotencyKey(c);
  if (key === undefined) return { body: await create(), replayed: false };
  const db = await c.var.tx();
  const requestHash = await hashRequest(c, validatedBody);
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [stored] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    return { body: checkStoredAnswer(stored, requestHash) as TBody, replayed: true };
  }
  const body = await create();
  await db.update(idempotencyKeys).set({ status: 201, body }).where(eq(idempotencyKeys.key, key));
  return { body, replayed: false };
}

/** The stored answer of a key claimed by a committed request: what a replay returns. */
export type StoredAnswer = { requestHash: string; status: number | null; body: unknown };

/** The stored body when it answers this request; 409 while it has none yet, 422 for another request. */
export function checkStoredAnswer(stored: StoredAnswer | undefined, requestHash: string): unknown {
  if (!stored || stored.status === null) {
    // Only possible if the key was purged between the conflict and this read.
    throw new ApiError(409, 'idempotency_conflict', 'The Idempotency-Key is in use; retry.');
  }
  if (stored.requestHash !== requestHash) {
    throw new ApiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request; use a new key.',
    );
  }
  return stored.body;
}
