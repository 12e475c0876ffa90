import { describe, expect, it } from 'vitest';
import { toValidationError } from './hook';

describe('toValidationError', () => {
  it('names each field under its request part', () => {
    const error = toValidationError('json', [
      { code: 'too_small', path: ['name'], message: 'too short' },
      { code: 'unrecognized_keys', path: [], message: 'x', keys: ['extra', 'other'] },
    ]);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([
      { path: 'body.name', message: 'too short' },
      { path: 'body.extra', message: 'unknown field' },
      { path: 'body.other', message: 'unknown field' },
    ]);
    expect(error.message).toBe(
      'body.name: too short; body.extra: unknown field; body.other: unknown field',
    );
  });

  it('calls path parameters "path"', () => {
    const error = toValidationError('param', [
      { code: 'invalid_format', path: ['id'], message: 'bad' },
    ]);
    expect(error.message).toBe('path.id: bad');
  });
});
