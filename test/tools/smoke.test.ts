import { describe, expect, it } from 'vitest';

describe('node', () => {
  it('runs', () => {
    expect(1).toBe(1);
  });
});
