import { asc, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { ApiError } from './errors';

/** A position in the stable order (created_at, id): the last row of the previous page. */
export type PageCursor = { createdAt: string; id: string };

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The opaque cursor: base64url of `["<created_at ISO>","<id>"]`. */
export function encodeCursor(cursor: PageCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([cursor.createdAt, cursor.id]));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** Decodes a cursor from `encodeCursor`; anything else is a 400 `invalid_cursor`. */
export function decodeCursor(raw: string): PageCursor {
  const [createdAt, id] = parseCursorJson(raw);
  const valid = typeof createdAt === 'string' && isCalendarTimestamp(createdAt);
  if (valid && typeof id === 'string' && UUID.test(id)) return { createdAt, id };
  throw new ApiError(400, 'invalid_cursor', 'query.cursor: is not a cursor this API returned', {
    details: [{ path: 'query.cursor', message: 'is not a cursor this API returned' }],
  });
}

/** The two members of a cursor's JSON array, or none when `raw` is not one. */
function parseCursorJson(raw: string): unknown[] {
  try {
    const parsed: unknown = BASE64URL.test(raw)
      ? JSON.parse(atob(raw.replaceAll('-', '+').replaceAll('_', '/')))
      : undefined;
    return Array.isArray(parsed) && parsed.length === 2 ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * True for `YYYY-MM-DDTHH:MM:SS.ffffffZ` naming a real instant in 0001-9999 (Postgres has no year
 * 0). `Date` rolls Feb 30 over, so the parsed date must print back as the same text.
 */
export function isCalendarTimestamp(text: string): boolean {
  if (!ISO_MICROS.test(text) || text.startsWith('0000')) return false;
  const millis = `${text.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

/** Keyset pagination over (created_at, id): the condition for rows after `cursor`, and the order. */
export function keyset(columns: { createdAt: PgColumn; id: PgColumn }, cursor?: string) {
  const at = cursor ? decodeCursor(cursor) : undefined;
  const after: SQL | undefined =
    at &&
    sql`(${columns.createdAt}, ${columns.id}) > (${at.createdAt}::timestamptz, ${at.id}::uuid)`;
  return { after, order: [asc(columns.createdAt), asc(columns.id)] };
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one, if any. */
export function toPage<TRow extends PageCursor>(rows: TRow[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
  return { items, nextCursor };
}
