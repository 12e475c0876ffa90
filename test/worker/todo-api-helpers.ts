import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { neon, neonConfig } from '@neondatabase/serverless';
import app from '../../src/index';

/** The API_TOKEN the worker project binds (vitest.config.ts). */
export const TOKEN = 'test-token';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** What a test sees of a response: status, headers and the parsed body (JSON or text). */
// biome-ignore lint/suspicious/noExplicitAny: replies are asserted field by field in tests.
export type ApiReply = { status: number; headers: Headers; body: any };

export type CallOptions = {
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string;
  contentType?: string | null;
  /** false sends no Authorization header. */
  token?: string | false;
  headers?: Record<string, string>;
  /** Var overrides: the request runs through the app with this env instead of the bound one. */
  vars?: Partial<Env>;
};

/** Calls the Worker as a client would; writes carry the token unless `token: false`. */
export async function call(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token ?? TOKEN;
  if (token !== false) headers.Authorization = `Bearer ${token}`;
  let body: string | Uint8Array | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (body !== undefined && contentType !== null) headers['Content-Type'] = contentType;
  // A string body would get "text/plain;charset=UTF-8" from the Request constructor.
  if (typeof body === 'string' && contentType === null) body = new TextEncoder().encode(body);
  const request = new Request(`http://localhost${path}`, { method, headers, body });
  let res: Response;
  if (options.vars) {
    const ctx = createExecutionContext();
    res = await app.fetch(request, { ...env, ...options.vars }, ctx);
    await waitOnExecutionContext(ctx);
  } else {
    res = await exports.default.fetch(request);
  }
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('Content-Type') ?? '')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

let routingInstalled = false;

/** A separate connection to check database state: the HTTP driver, outside any request. */
export function db() {
  if (!routingInstalled) {
    routingInstalled = true;
    const fallback = neonConfig.fetchEndpoint;
    neonConfig.fetchEndpoint = (host, port, options) =>
      /^(127\.|localhost$|\[?::1\]?$)/.test(host)
        ? `http://${host}:${port}/sql`
        : typeof fallback === 'function'
          ? fallback(host, port, options)
          : fallback;
  }
  return neon(env.DATABASE_URL);
}

/** A name no other test uses. */
export function uniqueName(prefix = 'list'): string {
  return `${prefix} ${crypto.randomUUID()}`;
}

/** Creates a list through the API and returns it. */
export async function createList(name = uniqueName()): Promise<{ id: string; name: string }> {
  const reply = await call('POST', '/lists', { body: { name } });
  if (reply.status !== 201)
    throw new Error(`createList: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Creates a todo through the API and returns it. */
export async function createTodo(listId: string, title = 'a todo', completed?: boolean) {
  const reply = await call('POST', '/todos', { body: { listId, title, completed } });
  if (reply.status !== 201)
    throw new Error(`createTodo: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as {
    id: string;
    listId: string;
    title: string;
    completed: boolean;
    createdAt: string;
    updatedAt: string;
  };
}

/** Rows of `todos` in a list, straight from the database. */
export async function todosInList(listId: string) {
  return db()`select id, title, completed from todos where list_id = ${listId} order by created_at, id`;
}

/** Asserts the reply is a problem+json with this status and code. */
export function expectProblem(reply: ApiReply, status: number, code: string): void {
  if (reply.status !== status || reply.body?.code !== code) {
    throw new Error(
      `expected ${status} ${code}, got ${reply.status} ${JSON.stringify(reply.body)}`,
    );
  }
  if (!reply.headers.get('Content-Type')?.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${reply.headers.get('Content-Type')}`);
  }
}

export const MISSING_ID = '6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34';
