import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isCalendarTimestamp, toPage } from './pagination';

const CURSOR = {
  createdAt: '2026-01-31T12:00:00.123400Z',
  id: '0190f5b2-7c1e-7000-8000-000000000001',
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('pagination cursor', () => {
  it('round-trips through base64url without padding', () => {
    const encoded = encodeCursor(CURSOR);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(CURSOR);
  });

  it('answers invalid_cursor for every shape it did not produce', () => {
    const b64 = (value: unknown) =>
      btoa(JSON.stringify(value)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    const bad = [
      'not base64!',
      b64('text'),
      b64([CURSOR.createdAt]),
      b64([CURSOR.createdAt, CURSOR.id, 'extra']),
      b64(['2026-02-30T00:00:00.000000Z', CURSOR.id]),
      b64(['0000-01-01T00:00:00.000000Z', CURSOR.id]),
      b64([CURSOR.createdAt, CURSOR.id.toUpperCase()]),
      b64([1, CURSOR.id]),
      'e30',
    ];
    for (const raw of bad)
      expect(
        codeOf(() => decodeCursor(raw)),
        raw,
      ).toBe('invalid_cursor');
  });

  it('accepts only calendar instants', () => {
    expect(isCalendarTimestamp('2024-02-29T00:00:00.000000Z')).toBe(true);
    expect(isCalendarTimestamp('2023-02-29T00:00:00.000000Z')).toBe(false);
    expect(isCalendarTimestamp('2024-02-28T00:00:00.000Z')).toBe(false);
  });

  it('splits limit + 1 rows into a page and the next cursor', () => {
    const rows = [1, 2, 3].map((n) => ({ ...CURSOR, id: `${CURSOR.id.slice(0, -1)}${n}` }));
    const page = toPage(rows, 2);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor as string)).toEqual(rows[1]);
    expect(toPage(rows, 3).nextCursor).toBeNull();
  });
});
