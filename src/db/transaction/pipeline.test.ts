import { describe, expect, it } from 'vitest';
import { beginStatements } from './pipeline';

describe('beginStatements', () => {
  it('opens the transaction with its isolation, mode and statement_timeout', () => {
    expect(
      beginStatements({
        isolationLevel: 'serializable',
        readOnly: true,
        statementTimeoutMs: 5_000,
      }),
    ).toEqual([
      'BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY',
      'SET LOCAL statement_timeout = 5000',
    ]);
  });

  it('splices only a whole number into SET', () => {
    const [begin, timeout] = beginStatements({
      isolationLevel: 'read committed',
      readOnly: false,
      statementTimeoutMs: 12.9,
    });
    expect(begin).toBe('BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE');
    expect(timeout).toBe('SET LOCAL statement_timeout = 12');
  });
});
