import { z } from '@hono/zod-openapi';

// Building blocks of the route definitions in src/routes: responses, bodies, security.

/** An `application/problem+json` error body (RFC 9457) with a stable `code`. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Validation failures: one entry per field.' }),
  })
  .openapi('Problem');

const PROBLEM_DESCRIPTIONS = {
  400: 'Invalid input; `detail` and `errors` name each field and what was wrong.',
  401: 'Missing or invalid `Authorization: Bearer <API_TOKEN>`.',
  404: 'No such resource.',
  409: 'Conflict: a duplicate name, or a referenced list that does not exist.',
  413: 'The request body is larger than the limit.',
  415: 'The request body is not `application/json`.',
  422: 'The `Idempotency-Key` was already used for a different request.',
  503: 'The database is unavailable; retry after `Retry-After` seconds.',
  504: 'A query ran past the statement timeout; nothing was written.',
} as const;

type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** The problem+json response entries of a route, one per listed status. */
export function problemResponses<TStatus extends ProblemStatus>(...statuses: TStatus[]) {
  const entries = statuses.map((status) => [
    status,
    {
      description: PROBLEM_DESCRIPTIONS[status],
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  ]);
  return Object.fromEntries(entries) as {
    [K in TStatus]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof ProblemSchema } };
    };
  };
}

/** Requirement of routes that need the bearer token. */
export const BEARER_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }];
/** Reads: public unless READS_REQUIRE_AUTH is "true". */
export const OPTIONAL_BEARER_SECURITY: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

/** A JSON response entry. */
export function jsonResponse<TSchema>(description: string, schema: TSchema) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body. */
export function jsonBody<TSchema>(schema: TSchema) {
  return { required: true, content: { 'application/json': { schema } } };
}
