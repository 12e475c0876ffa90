import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('redacts URLs with credentials and password pairs', () => {
    const text = 'failed postgresql://app:s3cret@ep-x.neon.tech/db and password=hunter2, pwd: abc';
    const redacted = redactSecrets(text);
    expect(redacted).toBe('failed [redacted-url] and password=[redacted], pwd=[redacted]');
  });

  it('redacts every given secret of four characters or more', () => {
    expect(redactSecrets('token abcd and abcd, not abc', ['abcd', 'abc'])).toBe(
      'token [redacted] and [redacted], not abc',
    );
  });

  it('leaves URLs without credentials alone', () => {
    expect(redactSecrets('see https://neon.tech/docs')).toBe('see https://neon.tech/docs');
  });
});
