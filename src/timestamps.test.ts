import { describe, expect, it } from 'vitest';
import { toIsoTimestamp } from './timestamps';

describe('toIsoTimestamp', () => {
  it('converts an offset to UTC and pads the fraction to microseconds', () => {
    expect(toIsoTimestamp('2026-01-31 13:00:00.1234+01')).toBe('2026-01-31T12:00:00.123400Z');
  });

  it('keeps a UTC value as it is', () => {
    expect(toIsoTimestamp('2026-01-31 13:00:00.123456+00')).toBe('2026-01-31T13:00:00.123456Z');
    expect(toIsoTimestamp('2026-01-31T13:00:00Z')).toBe('2026-01-31T13:00:00.000000Z');
  });

  it('applies minute and second offsets, negative ones across midnight', () => {
    expect(toIsoTimestamp('2026-01-31 23:30:00.5-05:30')).toBe('2026-02-01T05:00:00.500000Z');
    expect(toIsoTimestamp('1900-01-01 00:00:00+00:19:32')).toBe('1899-12-31T23:40:28.000000Z');
  });

  it('refuses text that is not a timestamptz', () => {
    for (const junk of ['', '2026-01-31', 'now', '2026-01-31 13:00:00.1234567+01']) {
      expect(() => toIsoTimestamp(junk)).toThrow('unexpected timestamptz format');
    }
  });
});
