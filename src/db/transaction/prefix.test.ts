import { describe, expect, it } from 'vitest';
import { DriverShapeError } from '../../errors';
import { beginStatements, explicitReplies, transactionPrefix, verifyPrefixReplies } from './prefix';

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

describe('verifyPrefixReplies', () => {
  const prefix = transactionPrefix({
    isolationLevel: 'read committed',
    readOnly: false,
    statementTimeoutMs: 100,
  });

  it('returns the transaction id when every prefix statement answered with its tag', () => {
    const replies = { tags: ['BEGIN', 'SET', 'SELECT 1'], values: ['742'] };
    expect(verifyPrefixReplies(prefix, replies)).toBe('742');
  });

  it('refuses missing, extra or reordered replies, and a missing id', () => {
    const wrong = [
      { tags: ['BEGIN', 'SET'], values: ['742'] },
      { tags: ['SET', 'BEGIN', 'SELECT 1'], values: ['742'] },
      { tags: ['BEGIN', 'SET', 'SELECT 1', 'INSERT 0 1'], values: ['742'] },
      { tags: ['BEGIN', 'SET', 'SELECT 1'], values: [] },
      { tags: ['BEGIN', 'SET', 'SELECT 1'], values: ['742', 'row of the statement'] },
    ];
    for (const replies of wrong) {
      expect(() => verifyPrefixReplies(prefix, replies)).toThrow(DriverShapeError);
    }
  });

  it('reads the results of an explicit BEGIN sent as one simple query', () => {
    const results = [
      { command: 'BEGIN', rowCount: null, rows: [] },
      { command: 'SET', rowCount: null, rows: [] },
      { command: 'SELECT', rowCount: 1, rows: [{ pg_current_xact_id: '9' }] },
    ];
    expect(verifyPrefixReplies(prefix, explicitReplies(results))).toBe('9');
  });

  it('needs no id for a read-only transaction', () => {
    const readOnly = transactionPrefix({
      isolationLevel: 'serializable',
      readOnly: true,
      statementTimeoutMs: 100,
    });
    expect(verifyPrefixReplies(readOnly, { tags: ['BEGIN', 'SET'], values: [] })).toBeUndefined();
  });
});
