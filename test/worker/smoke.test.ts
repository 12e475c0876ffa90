import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('GET /health', () => {
  it('answers ok', async () => {
    const res = await exports.default.fetch('http://localhost/health');
    expect(res.status).toBe(200);
    expect(env.DATABASE_URL).toContain('127.0.0.1');
  });
});
