import { describe, expect, it } from 'vitest';
import { type CallOptions, call, createList, db, expectProblem } from './todo-api-helpers';

const TOO_LONG = 'x'.repeat(201);

describe('POST /todos with bad input', () => {
  type BadInput = { label: string; status: number; code: string; mention: string };
  const bad = (
    label: string,
    build: (listId: string) => CallOptions,
    status: number,
    code: string,
    mention: string,
  ) => ({ label, build, status, code, mention });
  // `mention`: what the problem's detail must name (the field, or what was wrong).
  const cases: (BadInput & { build: (listId: string) => CallOptions })[] = [
    bad(
      'malformed JSON',
      () => ({ rawBody: '{"title": "a",' }),
      400,
      'malformed_json',
      'not valid JSON',
    ),
    bad('an empty body', () => ({ rawBody: '' }), 400, 'malformed_json', 'not valid JSON'),
    bad('a JSON array', () => ({ body: [] }), 400, 'validation_failed', 'body'),
    bad(
      'a wrong type',
      (l) => ({ body: { listId: l, title: 42 } }),
      400,
      'validation_failed',
      'body.title',
    ),
    bad(
      'completed as a string',
      (l) => ({ body: { listId: l, title: 'a', completed: 'yes' } }),
      400,
      'validation_failed',
      'body.completed',
    ),
    bad(
      'a missing title',
      (l) => ({ body: { listId: l } }),
      400,
      'validation_failed',
      'body.title',
    ),
    bad(
      'an unknown field',
      (l) => ({ body: { listId: l, title: 'a', priority: 1 } }),
      400,
      'validation_failed',
      'body.priority',
    ),
    bad(
      'an overlong title',
      (l) => ({ body: { listId: l, title: TOO_LONG } }),
      400,
      'validation_failed',
      'at most 200',
    ),
    bad(
      'an empty title',
      (l) => ({ body: { listId: l, title: '' } }),
      400,
      'validation_failed',
      'body.title',
    ),
    bad(
      'a NUL character',
      (l) => ({ body: { listId: l, title: 'a\u0000b' } }),
      400,
      'validation_failed',
      'U+0000',
    ),
    bad(
      'a lone surrogate',
      (l) => ({ rawBody: `{"listId":"${l}","title":"a\\ud800b"}` }),
      400,
      'validation_failed',
      'well-formed',
    ),
    bad(
      'a bad uuid',
      () => ({ body: { listId: 'not-a-uuid', title: 'a' } }),
      400,
      'validation_failed',
      'body.listId',
    ),
    bad(
      'a text/plain body',
      (l) => ({ body: { listId: l, title: 'a' }, contentType: 'text/plain' }),
      415,
      'unsupported_media_type',
      'application/json',
    ),
    bad(
      'no Content-Type',
      (l) => ({ body: { listId: l, title: 'a' }, contentType: null }),
      415,
      'unsupported_media_type',
      'none',
    ),
    // No body and no Content-Type: nothing to refuse as a media type, so the missing fields are named.
    bad('no body at all', () => ({ contentType: null }), 400, 'validation_failed', 'body.listId'),
    bad(
      'a form body',
      () => ({ rawBody: 'title=a', contentType: 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
      'application/json',
    ),
  ];

  it.each(cases)(
    'answers $label with $status $code and writes nothing',
    async ({ build, status, code, mention }) => {
      const list = await createList();
      const reply = await call('POST', '/todos', build(list.id));
      expectProblem(reply, status, code);
      expect(reply.body.detail).toContain(mention);
      expect(await db()`select id from todos where list_id = ${list.id}`).toHaveLength(0);
    },
  );

  it('lists every failing field in errors', async () => {
    const reply = await call('POST', '/todos', {
      body: { listId: 'x', title: TOO_LONG, extra: true },
    });
    expectProblem(reply, 400, 'validation_failed');
    const paths = reply.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['body.extra', 'body.listId', 'body.title']);
  });

  it('accepts exactly 200 characters counted as code points', async () => {
    const list = await createList();
    const title = '🚀'.repeat(200);
    const reply = await call('POST', '/todos', { body: { listId: list.id, title } });
    expect(reply.status).toBe(201);
    const [row] = await db()`select char_length(title) as n from todos where id = ${reply.body.id}`;
    expect(row?.n).toBe(200);
  });
});

describe('PATCH /todos/:id with bad input', () => {
  it('answers 400 for a bad uuid in the path', async () => {
    const reply = await call('PATCH', '/todos/123', { body: { completed: true } });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('path.id');
  });

  it('answers 400 for completed: null', async () => {
    const reply = await call('PATCH', '/todos/6f1e0c52-3b9d-4a8e-9c47-0d2b5a7e1f34', {
      body: { completed: null },
    });
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain('body.completed');
  });
});

describe('GET /todos with bad query', () => {
  it.each([
    ['limit=-1', 'query.limit'],
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=1000000', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['limit=1.5', 'query.limit'],
    ['limit=1&limit=2', 'query.limit'],
    ['completed=yes', 'query.completed'],
    ['listId=42', 'query.listId'],
    ['sort=title', 'query.sort'],
  ])('answers 400 for ?%s naming %s', async (query, field) => {
    const reply = await call('GET', `/todos?${query}`);
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.detail).toContain(field);
  });
});
