/**
 * `npm run smoke -- <base-url> [--token T]`: health, then create, read, update, list and delete
 * against a running Worker (local or deployed). Prints each step with its latency and exits 1
 * on the first failure. The token comes from --token, API_TOKEN or .dev.vars; it is never
 * printed. Plain fetch on purpose: this runs on Node without the Worker's types.
 */
import { parseArgs } from 'node:util';
import { LOCAL_DEV_API_TOKEN } from '../src/database-url.ts';
import { isMain, messageOf, readDevVarsFile } from './cli.ts';

/** One step's outcome, as printed. */
export type SmokeStep = { name: string; status: number; ms: number; ok: boolean; note?: string };

/** Options of {@link runSmoke}. */
export type SmokeOptions = { token?: string; fetch?: typeof fetch; log?: (line: string) => void };

type StepInit = { method?: string; body?: unknown; headers?: Record<string, string> };
type Row = { id: string; completed?: boolean };

class SmokeFailure extends Error {}

/** Runs the smoke steps in order; resolves to every step run, the failed one included. */
export async function runSmoke(baseUrl: string, options: SmokeOptions = {}): Promise<SmokeStep[]> {
  const log = options.log ?? (() => {});
  const doFetch = options.fetch ?? fetch;
  const steps: SmokeStep[] = [];
  const auth = options.token ? { Authorization: `Bearer ${options.token}` } : undefined;

  async function step<T = Row>(
    name: string,
    expected: number,
    path: string,
    init: StepInit = {},
  ): Promise<T> {
    const json = init.body === undefined ? undefined : { 'Content-Type': 'application/json' };
    const started = performance.now();
    let status = 0;
    let text = '';
    try {
      const res = await doFetch(new URL(path, baseUrl), {
        method: init.method ?? 'GET',
        headers: { ...init.headers, ...auth, ...json },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      text = messageOf(error);
    }
    const ms = Math.round(performance.now() - started);
    const ok = status === expected;
    const note = ok ? undefined : describeFailure(text);
    steps.push({ name, status, ms, ok, note });
    const line = `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(30)} ${status} ${String(ms).padStart(5)} ms`;
    log(note ? `${line}  ${note}` : line);
    if (!ok) throw new SmokeFailure(name);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let listId: string | undefined;
  try {
    await step('GET /health', 200, '/health');
    await step('GET /health/db', 200, '/health/db');
    const name = `smoke ${new Date().toISOString()} ${crypto.randomUUID()}`;
    listId = (await step('POST /lists', 201, '/lists', { method: 'POST', body: { name } })).id;
    const todo = await step('POST /todos (Idempotency-Key)', 201, '/todos', {
      method: 'POST',
      body: { listId, title: 'smoke test todo' },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    const todoPath = `/todos/${todo.id}`;
    await step('GET /todos/:id', 200, todoPath);
    await step('PATCH /todos/:id', 200, todoPath, { method: 'PATCH', body: { completed: true } });
    const page = await step<{ items: Row[] }>(
      'GET /todos?listId&completed',
      200,
      `/todos?listId=${listId}&completed=true`,
    );
    if (!page.items.some((item) => item.id === todo.id && item.completed === true)) {
      steps.push({ name: 'the page shows the update', status: 200, ms: 0, ok: false });
      log('FAIL the page shows the update: the completed todo is missing');
      throw new SmokeFailure('page');
    }
    await step('DELETE /todos/:id', 204, todoPath, { method: 'DELETE' });
    await step('GET /todos/:id (gone)', 404, todoPath);
    await step('DELETE /lists/:id', 204, `/lists/${listId}`, { method: 'DELETE' });
    listId = undefined;
  } catch (error) {
    if (!(error instanceof SmokeFailure)) throw error;
  } finally {
    // Leave nothing behind on a deployed database, even after a failed step.
    if (listId) {
      const cleanup = { method: 'DELETE', headers: auth };
      await doFetch(new URL(`/lists/${listId}`, baseUrl), cleanup).catch(() => {});
    }
  }
  return steps;
}

function describeFailure(text: string): string {
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string };
    if (problem.code) return `${problem.code}: ${problem.detail ?? ''}`.slice(0, 300);
  } catch {}
  return text.slice(0, 200);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { token: { type: 'string' } },
  });
  const baseUrl = positionals[0];
  if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
    console.error('usage: npm run smoke -- <base-url> [--token T]   e.g. http://127.0.0.1:8787');
    process.exit(2);
  }
  const token =
    values.token ?? process.env.API_TOKEN ?? readDevVarsFile().API_TOKEN ?? LOCAL_DEV_API_TOKEN;
  console.log(`smoke test of ${baseUrl}`);
  const started = performance.now();
  const steps = await runSmoke(baseUrl, { token, log: console.log });
  const failed = steps.filter((s) => !s.ok).length;
  const ms = Math.round(performance.now() - started);
  console.log(failed ? `failed after ${ms} ms` : `all ${steps.length} steps passed in ${ms} ms`);
  process.exit(failed ? 1 : 0);
}

if (isMain(import.meta.url)) await main();
