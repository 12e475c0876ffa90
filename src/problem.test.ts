import { DrizzleQueryError } from 'drizzle-orm';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  CommitUnknownError,
  ConfigError,
  ConnectTimeoutError,
  DriverShapeError,
  RetriesExhaustedError,
  TransactionAbortedError,
  TxMisuseError,
} from './errors';
import { toProblem } from './problem';

const pgError = (code: string, constraint?: string) =>
  Object.assign(new Error('from postgres'), { code, constraint });

describe('toProblem', () => {
  it.each([
    ['22P02', 400, 'invalid_input', undefined],
    ['23505', 409, 'unique_violation', undefined],
    ['23503', 409, 'foreign_key_violation', undefined],
    ['23514', 422, 'check_violation', undefined],
    ['23502', 422, 'not_null_violation', undefined],
    ['57014', 504, 'statement_timeout', undefined],
    ['53300', 503, 'too_many_connections', '1'],
    ['40001', 503, 'transaction_conflict', '1'],
    ['08006', 503, 'database_unavailable', '5'],
    ['28P01', 503, 'database_unavailable', undefined],
    ['42P01', 500, 'internal_error', undefined],
  ])('maps SQLSTATE %s to %i %s', (sqlState, status, code, retryAfter) => {
    const problem = toProblem(pgError(sqlState));
    expect(problem).toMatchObject({ status, code });
    expect(problem.headers['Retry-After']).toBe(retryAfter);
    expect(problem.detail).not.toContain('from postgres');
  });

  it('names the constraint of a violation', () => {
    expect(toProblem(pgError('23505', 'lists_name_key')).detail).toBe(
      'The value already exists (constraint lists_name_key).',
    );
  });

  it('answers timeouts and exhausted retries as an unavailable database', () => {
    const exhausted = new RetriesExhaustedError(3, new ConnectTimeoutError(100));
    for (const error of [new ConnectTimeoutError(100), exhausted]) {
      expect(toProblem(error)).toMatchObject({ status: 503, code: 'database_unavailable' });
    }
  });

  it("maps the app's own errors by code, hiding internal messages", () => {
    expect(toProblem(new ConfigError('DB_X is wrong'))).toMatchObject({
      status: 500,
      code: 'configuration_error',
      detail: 'The server is misconfigured; its log names the setting to fix.',
    });
    expect(toProblem(new TxMisuseError('nested'))).toMatchObject({
      status: 500,
      code: 'internal_error',
      detail: 'An unexpected error occurred.',
    });
    expect(toProblem(new TransactionAbortedError())).toMatchObject({
      status: 500,
      code: 'transaction_aborted',
    });
    const unknown = toProblem(new CommitUnknownError(new Error('lost')));
    expect(unknown).toMatchObject({ status: 503, code: 'commit_unknown' });
    expect(unknown.headers).toEqual({ 'Retry-After': '5' });
  });

  it('keeps an ApiError as the route chose it', () => {
    const error = new ApiError(422, 'probe', 'Bad probe.', {
      details: [1],
      headers: { 'X-Probe': 'y' },
    });
    expect(toProblem(error)).toEqual({
      status: 422,
      code: 'probe',
      detail: 'Bad probe.',
      details: [1],
      headers: { 'X-Probe': 'y' },
    });
  });

  it('derives the code of an HTTPException from its status title', () => {
    expect(toProblem(new HTTPException(404, { message: 'gone' }))).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'gone',
    });
    expect(toProblem(new HTTPException(405))).toMatchObject({
      code: 'method_not_allowed',
      detail: 'Method Not Allowed',
    });
    expect(toProblem(new HTTPException(413)).code).toBe('payload_too_large');
    expect(toProblem(new HTTPException(418)).code).toBe('bad_request');
    expect(toProblem(new HTTPException(502, { message: 'secret' }))).toMatchObject({
      code: 'internal_error',
      detail: 'An unexpected error occurred.',
    });
  });

  it('keeps the headers of an HTTPException response, not its content headers', () => {
    const res = new Response('x', {
      headers: { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'text/plain' },
    });
    expect(toProblem(new HTTPException(401, { res })).headers).toEqual({
      'www-authenticate': 'Bearer',
    });
  });

  it('lists the issues of a raw ZodError', () => {
    const zodError = Object.assign(new Error('x'), {
      name: 'ZodError',
      issues: [{ path: ['a', 0], message: 'bad' }],
    });
    expect(toProblem(zodError)).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: [{ path: 'a.0', message: 'bad' }],
    });
  });
});

describe('toProblem for the body validator', () => {
  it('answers a refused media type 415, naming what was sent', () => {
    const request = (contentType?: string) =>
      new Request('http://x/', {
        method: 'POST',
        headers: contentType ? { 'Content-Type': contentType } : {},
      });
    const refused = new HTTPException(415, { message: 'Unsupported Media Type' });
    expect(toProblem(refused, request('text/plain; charset=utf-8'))).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      detail: 'Content-Type must be application/json, got "text/plain".',
    });
    expect(toProblem(refused, request()).detail).toContain('got none');
  });

  it('answers malformed JSON 400 malformed_json', () => {
    const malformed = new HTTPException(400, { message: 'Malformed JSON in request body' });
    expect(toProblem(malformed)).toMatchObject({
      status: 400,
      code: 'malformed_json',
      detail: 'The request body is not valid JSON.',
    });
  });

  it('maps an app error drizzle wrapped by its own code, without the query', () => {
    const refused = new DriverShapeError(
      'The driver sent a statement before the transaction began.',
    );
    const wrapped = new DrizzleQueryError('insert into lists values ($1)', ['secret'], refused);
    const problem = toProblem(wrapped);
    expect(problem).toMatchObject({ status: 500, code: 'transaction_unavailable' });
    expect(problem.detail).not.toContain('insert');
  });
});
