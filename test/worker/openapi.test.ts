import { describe, expect, it } from 'vitest';
import { call } from './todo-api-helpers';

type Parameter = { name: string; in: string; schema?: unknown; $ref?: string };
type Operation = {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};
type Document = {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; identifier?: string } };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

// The routes clients and docs rely on; the document must describe exactly these.
const ROUTES = [
  'get /health',
  'get /health/db',
  'get /lists',
  'post /lists',
  'get /lists/{id}',
  'patch /lists/{id}',
  'delete /lists/{id}',
  'get /todos',
  'post /todos',
  'post /todos/move',
  'get /todos/{id}',
  'patch /todos/{id}',
  'delete /todos/{id}',
];
const WRITES = new Set(['post', 'patch', 'put', 'delete']);

async function fetchDocument(): Promise<Document> {
  const reply = await call('GET', '/openapi.json', { token: false });
  expect(reply.status).toBe(200);
  return reply.body;
}

function operations(doc: Document): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [method, path, op] as [string, string, Operation]),
  );
}

/** The target of a local JSON pointer such as `#/components/schemas/Todo`. */
function resolveRef(doc: Document, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

/** Every `$ref` in the document, wherever it is. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
    );
  }
  return [];
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with info', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
  });

  it('covers every route and method, and nothing else', async () => {
    const doc = await fetchDocument();
    const documented = operations(doc).map(([method, path]) => `${method} ${path}`);
    expect(documented.sort()).toEqual([...ROUTES].sort());
  });

  it('gives every operation a unique operationId', async () => {
    const doc = await fetchDocument();
    const ids = operations(doc).map(([, , op]) => op.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a summary, a success response and problem responses', async () => {
    const doc = await fetchDocument();
    for (const [method, path, op] of operations(doc)) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toBeTruthy();
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        where,
      ).toBe(true);
      // The health routes take no input, so they have no 400.
      if (!path.startsWith('/health')) expect(statuses, where).toContain('400');
      if (path !== '/health') expect(statuses, where).toContain('503');
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${where} ${status}`).toBeTruthy();
        if (Number(status) >= 400)
          expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
      }
      if (WRITES.has(method)) {
        expect(op.security, where).toEqual([{ bearerAuth: [] }]);
        expect(statuses, where).toContain('401');
      }
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const param = op.parameters?.find((p) => p.in === 'path' && `{${p.name}}` === name);
        expect(param, `${where} ${name}`).toBeDefined();
      }
      if (method === 'post' || method === 'patch') {
        expect(Object.keys(op.requestBody?.content ?? {}), where).toEqual(['application/json']);
      }
    }
  });

  it('resolves every $ref and declares the bearer scheme', async () => {
    const doc = await fetchDocument();
    for (const ref of refsIn(doc)) expect(resolveRef(doc, ref), ref).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('documents the query parameters of GET /todos and the Idempotency-Key header', async () => {
    const doc = await fetchDocument();
    const names = (op: Operation | undefined) =>
      (op?.parameters ?? []).map((p) => {
        const param = (p.$ref ? resolveRef(doc, p.$ref) : p) as Parameter;
        return `${param.in}:${param.name}`;
      });
    expect(names(doc.paths['/todos']?.get)).toEqual([
      'query:listId',
      'query:completed',
      'query:limit',
      'query:cursor',
    ]);
    expect(names(doc.paths['/todos']?.post)).toEqual(['header:Idempotency-Key']);
    expect(names(doc.paths['/lists']?.post)).toEqual(['header:Idempotency-Key']);
  });

  it('declares strict request bodies with the limits the validator enforces', async () => {
    const doc = await fetchDocument();
    expect(doc.components.schemas.CreateTodo).toMatchObject({
      additionalProperties: false,
      required: ['listId', 'title'],
      properties: { title: { minLength: 1, maxLength: 200 } },
    });
  });

  it('matches the routes the Worker actually serves', async () => {
    const doc = await fetchDocument();
    for (const [method, path] of operations(doc)) {
      const concrete = path.replace('{id}', '6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34');
      const reply = await call(method.toUpperCase(), concrete, { token: false });
      // An unknown route answers 404 "No route"; a real one answers anything else or a
      // resource 404 with its own code.
      expect(reply.body?.detail ?? '', `${method} ${path}`).not.toMatch(/^No route/);
    }
  });
});

describe('GET /docs', () => {
  it('serves the API reference page under a nonce CSP that allows no other origin', async () => {
    const reply = await call('GET', '/docs', { token: false });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('Content-Type')).toContain('text/html');
    const csp = reply.headers.get('Content-Security-Policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'(;|$)/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/https?:|\*|unsafe-eval/);
    expect(csp).toContain("connect-src 'self';");
    const scripts = [...(reply.body as string).matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(reply.body).toContain('"url":"/openapi.json"');
    expect(reply.body).not.toMatch(/https?:\/\//);
    // Same origin (not a CDN, nor //host); test/tools/docs-page.test.ts fetches it.
    expect(reply.body).toMatch(/<script nonce="[^"]+" src="\/docs\/[\w.-]+\.js">/);
  });
});
