import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  classifyDatabaseError,
  type DatabaseErrorKind,
  unwrapQueryError,
} from './db/classify-error';
import { ApiError, AppError } from './errors';

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
const INTERNAL = 'An unexpected error occurred.';

/** The reason phrase of each status this API answers, the problem's `title`. */
export const TITLES: Record<number, string> = {
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

/** Status, code, detail and Retry-After seconds; a detail of `undefined` means the message. */
type Rule = [status: number, code: string, detail?: string, retryAfter?: number];

// `{on}` becomes " (constraint <name>)" when Postgres named one.
const BY_KIND: Record<DatabaseErrorKind, Rule> = {
  unique_violation: [409, 'unique_violation', 'The value already exists{on}.'],
  foreign_key_violation: [409, 'foreign_key_violation', 'A referenced row is missing{on}.'],
  check_violation: [422, 'check_violation', 'A value breaks a rule{on}.'],
  not_null_violation: [422, 'not_null_violation', 'A required value is missing.'],
  invalid_input: [400, 'invalid_input', 'A value has the wrong format.'],
  statement_timeout: [504, 'statement_timeout', 'The database query took too long.'],
  too_many_connections: [
    503,
    'too_many_connections',
    'The database has too many connections; try again shortly.',
    RETRY_AFTER_BUSY_SECONDS,
  ],
  serialization_failure: [
    503,
    'transaction_conflict',
    'The transaction kept conflicting with concurrent ones; try again.',
    RETRY_AFTER_BUSY_SECONDS,
  ],
  transient: [
    503,
    'database_unavailable',
    'The database could not be reached; try again shortly.',
    RETRY_AFTER_UNAVAILABLE_SECONDS,
  ],
  configuration: [503, 'database_unavailable', 'The database refused the connection.'],
  unknown: [500, 'internal_error', INTERNAL],
};

// The app's own errors that are answers in themselves. The others (timeouts, exhausted
// retries) are classified like the database errors they stand for.
const BY_CODE: Record<string, Rule> = {
  configuration_error: [
    500,
    'configuration_error',
    'The server is misconfigured; its log names the setting to fix.',
  ],
  transaction_misuse: [500, 'internal_error', INTERNAL],
  transaction_aborted: [500, 'transaction_aborted'],
  commit_unknown: [503, 'commit_unknown', undefined, RETRY_AFTER_UNAVAILABLE_SECONDS],
  transaction_unavailable: [
    500,
    'transaction_unavailable',
    'The database transaction could not be opened safely; nothing was saved.',
  ],
};

function fromRule([status, code, detail, retryAfter]: Rule, message = ''): Problem {
  const headers: Record<string, string> = retryAfter ? { 'Retry-After': String(retryAfter) } : {};
  return { status: status as ContentfulStatusCode, code, detail: detail ?? message, headers };
}

function fromHttpException({ status, message, res }: HTTPException, request?: Request): Problem {
  const headers: Record<string, string> = {};
  res?.headers.forEach((value, name) => {
    if (!/^content-(type|length)$/i.test(name)) headers[name] = value;
  });
  const problem = (code: string, detail: string): Problem => ({ status, code, detail, headers });
  if (status >= 500) return problem('internal_error', INTERNAL);
  if (status === 415) {
    // @hono/zod-openapi refuses a body that is not of the route's declared media type.
    const got = request?.headers.get('Content-Type')?.split(';')[0]?.trim().slice(0, 100);
    const sent = got ? JSON.stringify(got) : 'none';
    return problem('unsupported_media_type', `Content-Type must be application/json, got ${sent}.`);
  }
  if (status === 400 && message.startsWith('Malformed JSON')) {
    return problem('malformed_json', 'The request body is not valid JSON.');
  }
  const title = TITLES[status];
  if (!title) return problem('bad_request', message || 'Error');
  const code = status === 413 ? 'payload_too_large' : title.toLowerCase().replaceAll(' ', '_');
  return problem(code, message || title);
}

/**
 * What any thrown value becomes as a problem: an {@link ApiError} as the route chose it, the
 * app's own errors by code, HTTP exceptions by status, database errors by kind (README table).
 */
export function toProblem(error: unknown, request?: Request): Problem {
  if (error instanceof ApiError) {
    const { status, code, message: detail, details, headers } = error;
    return { status, code, detail, details, headers };
  }
  // drizzle wraps what the client threw, the app's own errors included.
  const raw = unwrapQueryError(error);
  const own = raw instanceof AppError ? BY_CODE[raw.code] : undefined;
  if (own) return fromRule(own, (raw as AppError).message);
  // A handler's own schema.parse(); request validation throws an ApiError (src/validation/hook.ts).
  if (error instanceof Error && error.name === 'ZodError' && 'issues' in error) {
    const issues = error.issues as { path: PropertyKey[]; message: string }[];
    const details = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    return { ...fromRule([400, 'validation_failed', 'The request is invalid.']), details };
  }
  if (error instanceof HTTPException) return fromHttpException(error, request);
  const { kind, constraint } = classifyDatabaseError(error);
  const problem = fromRule(BY_KIND[kind]);
  problem.detail = problem.detail.replace('{on}', constraint ? ` (constraint ${constraint})` : '');
  return problem;
}
