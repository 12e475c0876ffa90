import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env';
import { secretsOf } from './config';
import { classifyDatabaseError, unwrapQueryError } from './db/classify-error';
import { ApiError, AppError } from './errors';
import { type Problem, TITLES, toProblem } from './problem';
import { redactSecrets } from './redact';

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

/** The RFC 9457 problem+json response (plus `code` and `requestId`), secrets redacted from `detail`. */
function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  dropSuccessHeaders(c);
  const { status } = problem;
  const body = {
    type: 'about:blank',
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    code: problem.code,
    detail: redactSecrets(problem.detail, secretsOf(c.env)),
    requestId: c.get('requestId') ?? '',
    errors: problem.details, // left out of the JSON when undefined
  };
  // c.body keeps headers set earlier in the chain (X-Request-Id, CORS).
  return c.body(JSON.stringify(body), status, {
    ...problem.headers,
    'Content-Type': 'application/problem+json',
  });
}

/** `app.onError`: the single place a thrown error becomes a response and its trace fields. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  const problem = toProblem(error, c.req.raw);
  const trace = c.get('trace');
  if (trace) {
    const info = classifyDatabaseError(error);
    const raw = unwrapQueryError(error);
    trace.code = problem.code;
    trace.errorKind = info.kind === 'unknown' ? undefined : info.kind;
    trace.sqlState = info.sqlState;
    const routine = raw instanceof ApiError || raw instanceof HTTPException;
    trace.errorName = routine ? undefined : raw instanceof Error ? raw.name : typeof raw;
    // Only the app's own words are logged: a driver's message may quote SQL or a parameter.
    const own = problem.status >= 500 && raw instanceof AppError;
    trace.error = own ? redactSecrets(raw.message, secretsOf(c.env)).slice(0, 300) : undefined;
  }
  return problemResponse(c, problem);
}

/** `app.notFound`: unknown routes get the same problem shape. */
export function handleNotFound(c: Context<AppEnv>): Response {
  const message = `No route for ${c.req.method} ${c.req.path}.`;
  return handleError(new ApiError(404, 'not_found', message), c);
}
