import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env';
import { secretsOf } from './config';
import { classifyDatabaseError, type DatabaseErrorKind } from './db/classify-error';
import { redactSecrets } from './db/redact';

/** Options of an {@link AppError}: `details` becomes the problem's `errors` member. */
export type AppErrorOptions = {
  details?: unknown;
  headers?: Record<string, string>;
  cause?: unknown;
};

/**
 * The one error type handlers throw; `app.onError` turns it into problem+json.
 * `code` is stable and machine-readable; `message` becomes `detail` and must not hold secrets.
 * @example throw new AppError(404, 'not_found', `No todo with id ${id}`)
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details?: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.status = status as ContentfulStatusCode;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** The problem+json body every error response carries (RFC 9457, plus `code` and `requestId`). */
export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId: string;
  errors?: unknown;
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_content',
  429: 'too_many_requests',
};

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;
const RETRY_AFTER_BUSY_SECONDS = 1;

function fromDatabaseError(error: unknown, kind: DatabaseErrorKind, constraint?: string): AppError {
  const on = constraint ? ` (constraint ${constraint})` : '';
  const retry = (seconds: number) => ({
    cause: error,
    headers: { 'Retry-After': String(seconds) },
  });
  switch (kind) {
    case 'unique_violation':
      return new AppError(409, 'unique_violation', `The value already exists${on}.`, {
        cause: error,
      });
    case 'foreign_key_violation':
      return new AppError(409, 'foreign_key_violation', `A referenced row is missing${on}.`, {
        cause: error,
      });
    case 'check_violation':
      return new AppError(422, 'check_violation', `A value breaks a rule${on}.`, { cause: error });
    case 'not_null_violation':
      return new AppError(422, 'not_null_violation', 'A required value is missing.', {
        cause: error,
      });
    case 'invalid_input':
      return new AppError(400, 'invalid_input', 'A value has the wrong format.', { cause: error });
    case 'statement_timeout':
      return new AppError(504, 'statement_timeout', 'The database query took too long.', {
        cause: error,
      });
    case 'too_many_connections':
      return new AppError(
        503,
        'too_many_connections',
        'The database has too many connections; try again shortly.',
        retry(RETRY_AFTER_BUSY_SECONDS),
      );
    case 'serialization_failure':
      return new AppError(
        503,
        'transaction_conflict',
        'The transaction kept conflicting with concurrent ones; try again.',
        retry(RETRY_AFTER_BUSY_SECONDS),
      );
    case 'transient':
      return new AppError(
        503,
        'database_unavailable',
        'The database could not be reached; try again shortly.',
        retry(RETRY_AFTER_UNAVAILABLE_SECONDS),
      );
    case 'configuration':
      return new AppError(503, 'database_unavailable', 'The database refused the connection.', {
        cause: error,
      });
    default:
      return new AppError(500, 'internal_error', 'An unexpected error occurred.', { cause: error });
  }
}

type ZodLikeError = { name: string; issues: { path: PropertyKey[]; message: string }[] };

function isZodError(error: unknown): error is ZodLikeError {
  return (
    error instanceof Error &&
    error.name === 'ZodError' &&
    Array.isArray((error as Partial<ZodLikeError>).issues)
  );
}

/** Maps anything thrown to an {@link AppError}; database errors by SQLSTATE (see README table). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.name === 'ConfigError') {
    return new AppError(
      500,
      'configuration_error',
      'The server is misconfigured; its log names the setting to fix.',
      { cause: error },
    );
  }
  if (isZodError(error)) {
    const details = error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    return new AppError(400, 'validation_failed', 'The request is invalid.', {
      details,
      cause: error,
    });
  }
  if (error instanceof HTTPException) {
    const headers: Record<string, string> = {};
    error.res?.headers.forEach((value, name) => {
      if (!/^content-(type|length)$/i.test(name)) headers[name] = value;
    });
    const code =
      HTTP_CODES[error.status] ?? (error.status >= 500 ? 'internal_error' : 'bad_request');
    const detail = error.status >= 500 ? 'An unexpected error occurred.' : error.message;
    return new AppError(error.status, code, detail || (TITLES[error.status] ?? 'Error'), {
      headers,
      cause: error,
    });
  }
  const { kind, constraint } = classifyDatabaseError(error);
  return fromDatabaseError(error, kind, constraint);
}

// Headers that describe a success; an error raised after the handler answered (a failed COMMIT)
// must not keep them. Middleware headers (X-Request-Id, CORS, security) stay.
const SUCCESS_ONLY_HEADERS = [
  'Location',
  'Content-Location',
  'Idempotent-Replayed',
  'ETag',
  'Last-Modified',
  'Content-Length',
];

/** Drops the handler's success headers from the response the error replaces. */
function dropSuccessHeaders(c: Context<AppEnv>): void {
  if (!c.finalized) return;
  const kept = new Headers(c.res.headers);
  for (const name of SUCCESS_ONLY_HEADERS) kept.delete(name);
  // Assigning undefined first stops Hono from merging the old headers back in.
  c.res = undefined;
  c.res = new Response(null, { headers: kept });
}

/** Builds the problem+json response for an error (secrets redacted from `detail`). */
export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  dropSuccessHeaders(c);
  const body: ProblemBody = {
    type: 'about:blank',
    title: TITLES[error.status] ?? (error.status >= 500 ? 'Server Error' : 'Client Error'),
    status: error.status,
    code: error.code,
    detail: redactSecrets(error.message, secretsOf(c.env)),
    requestId: c.get('requestId') ?? '',
  };
  if (error.details !== undefined) body.errors = error.details;
  // c.body keeps headers set earlier in the chain (X-Request-Id, CORS).
  return c.body(JSON.stringify(body), error.status, {
    ...error.headers,
    'Content-Type': 'application/problem+json',
  });
}

/** `app.onError`: the single place a thrown error becomes a response. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  const appError = toAppError(error);
  c.get('trace')?.recordError(appError, error, secretsOf(c.env));
  return problemResponse(c, appError);
}

/** `app.notFound`: unknown routes get the same problem shape. */
export function handleNotFound(c: Context<AppEnv>): Response {
  const error = new AppError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`);
  c.get('trace')?.recordError(error, error);
  return problemResponse(c, error);
}
