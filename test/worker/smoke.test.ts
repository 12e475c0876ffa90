import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('GET /health', () => {
  it('answers ok', async () => {
    const res = await exports.default.fetch('http://x/health');
    expect(res.status).toBe(200);
  });
});
