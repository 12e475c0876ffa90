import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  classifyDatabaseError,
  isTransientError,
  mayHaveCommitted,
  sqlStateOf,
} from './classify-error';

const pgError = (code: string, extra: object = {}) =>
  Object.assign(new Error('db said no'), { code, ...extra });

describe('classifyDatabaseError', () => {
  it.each([
    ['53300', 'too_many_connections'],
    ['40001', 'serialization_failure'],
    ['40P01', 'serialization_failure'],
    ['23505', 'unique_violation'],
    ['23503', 'foreign_key_violation'],
    ['23514', 'check_violation'],
    ['23502', 'not_null_violation'],
    ['57014', 'statement_timeout'],
    ['28P01', 'configuration'],
    ['3D000', 'configuration'],
    ['08006', 'transient'],
    ['57P01', 'transient'],
    ['22P02', 'invalid_input'],
    ['22001', 'invalid_input'],
    ['42P01', 'unknown'],
  ])('maps SQLSTATE %s to %s', (code, kind) => {
    expect(classifyDatabaseError(pgError(code)).kind).toBe(kind);
  });

  it('keeps the constraint name of a violation', () => {
    expect(classifyDatabaseError(pgError('23505', { constraint: 'lists_name_key' }))).toEqual({
      kind: 'unique_violation',
      sqlState: '23505',
      constraint: 'lists_name_key',
    });
  });

  it('reads the SQLSTATE from an HTTP error body', () => {
    const error = new Error('Server error (HTTP status 500): {"message":"x","code":"53300"}');
    expect(sqlStateOf(error)).toBe('53300');
  });

  it('ignores errno codes and the text of drizzle wrappers', () => {
    expect(sqlStateOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
    const wrapped = new DrizzleQueryError(
      'select $1 -- connection refused',
      ['quota'],
      new Error('x'),
    );
    expect(classifyDatabaseError(wrapped).kind).toBe('unknown');
  });

  it('treats timeouts by name and connection messages as transient', () => {
    for (const name of ['TimeoutError', 'AbortError', 'ConnectTimeoutError', 'ReplyTimeoutError']) {
      expect(isTransientError(Object.assign(new Error('t'), { name }))).toBe(true);
    }
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(classifyDatabaseError(new Error('endpoint is disabled')).kind).toBe('configuration');
  });

  it('follows causes five deep, not further', () => {
    const chain = (depth: number) => {
      let error: Error = pgError('40001');
      for (let i = 1; i < depth; i++) error = new Error('wrap', { cause: error });
      return error;
    };
    expect(classifyDatabaseError(chain(5)).kind).toBe('serialization_failure');
    expect(classifyDatabaseError(chain(6)).kind).toBe('unknown');
  });
});

describe('mayHaveCommitted', () => {
  it('is true when no answer says otherwise: no SQLSTATE, a lost connection, a shutdown, XX', () => {
    for (const error of [
      new Error('socket hang up'),
      pgError('08006'),
      pgError('57P01'),
      pgError('XX000'),
    ]) {
      expect(mayHaveCommitted(error)).toBe(true);
    }
  });

  it('is false when Postgres answered with a statement error: the transaction rolled back', () => {
    for (const code of ['23505', '40001', '57014', '53300', '42P01']) {
      expect(mayHaveCommitted(pgError(code))).toBe(false);
    }
  });
});
