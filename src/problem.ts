import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env';
import { secretsOf } from './config';
import {
  classifyDatabaseError,
  type DatabaseErrorKind,
  unwrapQueryError,
} from './db/classify-error';
import { ApiError, AppError } from './errors';
import { redactSecrets } from './redact';

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

/** What an error becomes: the status, code, detail and headers of its problem response. */
export type Problem = {
  status: ContentfulStatusCode;
  code: string;
  detail: string;
  details?: unknown;
  headers: Record<string, string>;
};

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;
const RETRY_AFTER_BUSY_SECONDS = 1;
const INTERNAL_DETAIL = 'An unexpected error occurred.';

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

type Rule = { status: number; code: string; detail: string; retryAfter?: number };

// `{on}` becomes " (constraint <name>)" when Postgres named one.
const BY_KIND: Record<DatabaseErrorKind, Rule> = {
  unique_violation: {
    status: 409,
    code: 'unique_violation',
    detail: 'The value already exists{on}.',
  },
  foreign_key_violation: {
    status: 409,
    code: 'foreign_key_violation',
    detail: 'A referenced row is missing{on}.',
  },
  check_violation: { status: 422, code: 'check_violation', detail: 'A value breaks a rule{on}.' },
  not_null_violation: {
    status: 422,
    code: 'not_null_violation',
    detail: 'A required value is missing.',
  },
  invalid_input: { status: 400, code: 'invalid_input', detail: 'A value has the wrong format.' },
  statement_timeout: {
    status: 504,
    code: 'statement_timeout',
    detail: 'The database query took too long.',
  },
  too_many_connections: {
    status: 503,
    code: 'too_many_connections',
    detail: 'The database has too many connections; try again shortly.',
    retryAfter: RETRY_AFTER_BUSY_SECONDS,
  },
  serialization_failure: {
    status: 503,
    code: 'transaction_conflict',
    detail: 'The transaction kept conflicting with concurrent ones; try again.',
    retryAfter: RETRY_AFTER_BUSY_SECONDS,
  },
  transient: {
    status: 503,
    code: 'database_unavailable',
    detail: 'The database could not be reached; try again shortly.',
    retryAfter: RETRY_AFTER_UNAVAILABLE_SECONDS,
  },
  configuration: {
    status: 503,
    code: 'database_unavailable',
    detail: 'The database refused the connection.',
  },
  unknown: { status: 500, code: 'internal_error', detail: INTERNAL_DETAIL },
};

// The app's own errors that are answers in themselves; a missing `detail` means the message.
// The others (timeouts, exhausted retries) are classified like the database errors they stand for.
const BY_CODE: Record<string, Partial<Rule> & { status: number }> = {
  configuration_error: {
    status: 500,
    detail: 'The server is misconfigured; its log names the setting to fix.',
  },
  transaction_misuse: { status: 500, code: 'internal_error', detail: INTERNAL_DETAIL },
  transaction_aborted: { status: 500 },
  commit_unknown: { status: 503, retryAfter: RETRY_AFTER_UNAVAILABLE_SECONDS },
};

type ZodLikeError = Error & { issues: { path: PropertyKey[]; message: string }[] };

function isZodError(error: unknown): error is ZodLikeError {
  return error instanceof Error && error.name === 'ZodError' && 'issues' in error;
}

function fromRule(rule: Rule, detail = rule.detail): Problem {
  const headers: Record<string, string> = rule.retryAfter
    ? { 'Retry-After': String(rule.retryAfter) }
    : {};
  return { status: rule.status as ContentfulStatusCode, code: rule.code, detail, headers };
}

function fromHttpException(error: HTTPException): Problem {
  const headers: Record<string, string> = {};
  error.res?.headers.forEach((value, name) => {
    if (!/^content-(type|length)$/i.test(name)) headers[name] = value;
  });
  const { status } = error;
  const title = TITLES[status];
  const code =
    status === 413
      ? 'payload_too_large'
      : status >= 500
        ? 'internal_error'
        : (title?.toLowerCase().replaceAll(' ', '_') ?? 'bad_request');
  const detail = status >= 500 ? INTERNAL_DETAIL : error.message || (title ?? 'Error');
  return { status, code, detail, headers };
}

/** What any thrown value becomes as a problem; database errors by their kind (README table). */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) {
    const { status, code, message: detail, details, headers } = error;
    return { status, code, detail, details, headers };
  }
  const own = error instanceof AppError ? BY_CODE[error.code] : undefined;
  if (own && error instanceof AppError) {
    return fromRule({ code: error.code, detail: error.message, ...own });
  }
  if (isZodError(error)) {
    const details = error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    return {
      status: 400,
      code: 'validation_failed',
      detail: 'The request is invalid.',
      details,
      headers: {},
    };
  }
  if (error instanceof HTTPException) return fromHttpException(error);
  const { kind, constraint } = classifyDatabaseError(error);
  const rule = BY_KIND[kind];
  return fromRule(
    rule,
    rule.detail.replace('{on}', constraint ? ` (constraint ${constraint})` : ''),
  );
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

function dropSuccessHeaders(c: Context<AppEnv>): void {
  if (!c.finalized) return;
  const kept = new Headers(c.res.headers);
  for (const name of SUCCESS_ONLY_HEADERS) kept.delete(name);
  // Assigning undefined first stops Hono from merging the old headers back in.
  c.res = undefined;
  c.res = new Response(null, { headers: kept });
}

/** Builds the problem+json response for a problem (secrets redacted from `detail`). */
export function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  dropSuccessHeaders(c);
  const { status } = problem;
  const body: ProblemBody = {
    type: 'about:blank',
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    code: problem.code,
    detail: redactSecrets(problem.detail, secretsOf(c.env)),
    requestId: c.get('requestId') ?? '',
  };
  if (problem.details !== undefined) body.errors = problem.details;
  // c.body keeps headers set earlier in the chain (X-Request-Id, CORS).
  return c.body(JSON.stringify(body), status, {
    ...problem.headers,
    'Content-Type': 'application/problem+json',
  });
}

/** `app.onError`: the single place a thrown error becomes a response and its trace fields. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  const problem = toProblem(error);
  const trace = c.get('trace');
  if (trace) {
    const info = classifyDatabaseError(error);
    const raw = unwrapQueryError(error);
    const name = raw instanceof Error ? raw.name : typeof raw;
    trace.code = problem.code;
    trace.errorKind = info.kind === 'unknown' ? undefined : info.kind;
    trace.sqlState = info.sqlState;
    trace.errorName = raw instanceof ApiError || raw instanceof HTTPException ? undefined : name;
    // Only the app's own words are logged: a driver's message may quote SQL or a parameter.
    trace.error =
      problem.status >= 500 && raw instanceof AppError
        ? redactSecrets(raw.message, secretsOf(c.env)).slice(0, 300)
        : undefined;
  }
  return problemResponse(c, problem);
}

/** `app.notFound`: unknown routes get the same problem shape. */
export function handleNotFound(c: Context<AppEnv>): Response {
  return handleError(
    new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`),
    c,
  );
}
