import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type RunningWorker, startWorker } from '@neon-workers-template/bench/worker-runner';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSmoke } from '../../tools/smoke';

const run = promisify(execFile);
const TOKEN = `smoke-${crypto.randomUUID()}`;
let worker: RunningWorker;

// The Worker bundled as `wrangler deploy` would, served by workerd on a loopback port: what
// `npm run smoke` meets after `npm run dev` or a deploy, on the test stack's database.
beforeAll(async () => {
  worker = await startWorker({
    name: 'smoke',
    entry: 'src/index.ts',
    bindings: { DATABASE_URL: inject('databaseUrl'), API_TOKEN: TOKEN },
    outDir: `.local/smoke-test-${process.pid}`,
  });
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
});

async function runCli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      '--import',
      'tsx',
      'tools/smoke.ts',
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('runSmoke', () => {
  it('passes every step against a running Worker and leaves nothing behind', async () => {
    const lines: string[] = [];
    const steps = await runSmoke(worker.url.href, { token: TOKEN, log: (l) => lines.push(l) });
    expect(steps.filter((s) => !s.ok)).toEqual([]);
    expect(steps.map((s) => s.name)).toEqual([
      'GET /health',
      'GET /health/db',
      'POST /lists',
      'POST /todos (Idempotency-Key)',
      'GET /todos/:id',
      'PATCH /todos/:id',
      'GET /todos?listId&completed',
      'DELETE /todos/:id',
      'GET /todos/:id (gone)',
      'DELETE /lists/:id',
    ]);
    expect(lines.every((l) => /^ok +.+ \d{3} +\d+ ms$/.test(l))).toBe(true);
  });

  it('stops at the first failing step with the problem code', async () => {
    const lines: string[] = [];
    const steps = await runSmoke(worker.url.href, { token: 'wrong', log: (l) => lines.push(l) });
    expect(steps.at(-1)).toMatchObject({ name: 'POST /lists', status: 401, ok: false });
    expect(lines.at(-1)).toContain('unauthorized');
  });
});

describe('npm run smoke', () => {
  it('exits 0, prints each step, and never prints the token', async () => {
    const result = await runCli(worker.url.href, '--token', TOKEN);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok +GET \/health\/db +200 +\d+ ms/);
    expect(result.stdout).toContain('all 10 steps passed');
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  }, 60_000);

  it('exits 1 when a step fails', async () => {
    const result = await runCli(worker.url.href, '--token', 'not-the-token');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL POST /lists');
    expect(result.stdout + result.stderr).not.toContain('not-the-token');
  }, 60_000);

  it('exits 1 when nothing listens', async () => {
    const result = await runCli('http://127.0.0.1:9/', '--token', TOKEN);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL GET /health');
  }, 60_000);

  it('exits 2 with usage for a missing URL', async () => {
    const result = await runCli();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage');
  }, 60_000);
});

describe('the typed client from Node', () => {
  it('creates and reads through hc against the running Worker', async () => {
    // Imported at runtime: the Node typecheck project has no Worker types, which the
    // client's route types come from (the workerd tests type-check the same calls).
    const modulePath = '../../src/client';
    const { createApiClient } = await import(/* @vite-ignore */ modulePath);
    const api = createApiClient(worker.url.href, { token: TOKEN });
    const listRes = await api.lists.$post(
      { json: { name: `client ${crypto.randomUUID()}` } },
      { headers: { 'Idempotency-Key': crypto.randomUUID() } },
    );
    expect(listRes.status).toBe(201);
    const list = await listRes.json();
    const read = await api.lists[':id'].$get({ param: { id: list.id } });
    expect(await read.json()).toEqual(list);
    expect((await api.lists[':id'].$delete({ param: { id: list.id } })).status).toBe(204);
  });
});
