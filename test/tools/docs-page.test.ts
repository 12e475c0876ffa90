import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_startWorker } from 'wrangler';

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
let worker: Worker;

// The Worker as `wrangler dev` runs it: the [build] step, the static assets in front of the
// Worker, the routes behind them. No database is needed for these routes.
beforeAll(async () => {
  worker = await unstable_startWorker({
    config: 'wrangler.toml',
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false },
  });
  await worker.ready;
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
});

describe('GET /docs through wrangler', () => {
  it("serves the page, and its script from this Worker's static assets", async () => {
    const page = await worker.fetch('http://127.0.0.1/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const src = /<script[^>]+src="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(src).toMatch(/^\/[^/]/);

    const script = await worker.fetch(`http://127.0.0.1${src}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('Content-Type')).toMatch(/javascript/);
    expect(await script.text()).toContain('createApiReference');
    // The first read of a bundle of megabytes through wrangler's asset server, on a busy machine.
  }, 30_000);

  it('still answers the API behind the assets', async () => {
    const reply = await worker.fetch('http://127.0.0.1/openapi.json');
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
  });
});
