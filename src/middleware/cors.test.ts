import { describe, expect, it } from 'vitest';
import { pickCorsOrigin } from './cors';

describe('pickCorsOrigin', () => {
  it('echoes a listed origin and refuses others', () => {
    const configured = ' https://a.example , https://b.example ';
    expect(pickCorsOrigin('https://b.example', configured)).toBe('https://b.example');
    expect(pickCorsOrigin('https://c.example', configured)).toBeNull();
  });

  it('answers * when any origin is allowed, and nothing when none is configured', () => {
    expect(pickCorsOrigin('https://c.example', 'https://a.example,*')).toBe('*');
    expect(pickCorsOrigin('https://c.example', '')).toBeNull();
  });
});
