import { createRoute, z } from '@hono/zod-openapi';
import { IDEMPOTENCY_KEY_PARAMETER, IdParamsSchema } from '../validation/common';

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

const PROBLEM_CONTENT = { 'application/problem+json': { schema: ProblemSchema } };

/** The problem+json response entries of a route, one per listed status. */
export function problemResponses<TStatus extends keyof typeof PROBLEM_DESCRIPTIONS>(
  ...statuses: TStatus[]
) {
  const entries = statuses.map((status) => [
    status,
    { description: PROBLEM_DESCRIPTIONS[status], content: PROBLEM_CONTENT },
  ]);
  return Object.fromEntries(entries) as Record<
    TStatus,
    { description: string; content: typeof PROBLEM_CONTENT }
  >;
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

/**
 * The create, list, get, update and delete routes of a resource, with its security and problems;
 * a list answers one page of items, oldest first (schema `<Name>Page`).
 */
export function crudRoutes<
  TPath extends string,
  TItem extends z.ZodType,
  TCreate extends z.ZodType,
  TUpdate extends z.ZodType,
  TQuery extends z.ZodObject,
>(spec: {
  name: string;
  path: TPath;
  schemas: { item: TItem; create: TCreate; update: TUpdate; query: TQuery };
  summaries: { list: string; update: string; delete: string };
  deleted: string;
}) {
  const { name, path, schemas, summaries } = spec;
  const tags = [path.slice(1)];
  const item = `${path}/{id}` as const;
  const pascal = `${name[0]?.toUpperCase()}${name.slice(1)}`;
  const createSummary = `Create a ${name} (idempotent with Idempotency-Key)`;
  const page = z
    .object({ items: z.array(schemas.item), nextCursor: z.string().nullable() })
    .openapi(`${pascal}Page`);
  const operation = <TMethod extends 'get' | 'post' | 'patch' | 'delete', TRoute extends string>(
    operationId: string,
    method: TMethod,
    route: TRoute,
    summary: string,
    security: Record<string, string[]>[],
  ) => ({ operationId, method, path: route, tags, summary, security });
  return {
    create: createRoute({
      ...operation(`create${pascal}`, 'post', path, createSummary, BEARER_SECURITY),
      parameters: [IDEMPOTENCY_KEY_PARAMETER],
      request: { body: jsonBody(schemas.create) },
      responses: {
        201: jsonResponse(
          `The ${name}, or the first answer for a repeated Idempotency-Key.`,
          schemas.item,
        ),
        ...problemResponses(400, 401, 409, 413, 415, 422, 503, 504),
      },
    }),
    list: createRoute({
      ...operation(`list${pascal}s`, 'get', path, summaries.list, OPTIONAL_BEARER_SECURITY),
      request: { query: schemas.query },
      responses: {
        200: jsonResponse('One page; pass `nextCursor` as `cursor` for the next.', page),
        ...problemResponses(400, 401, 503, 504),
      },
    }),
    get: createRoute({
      ...operation(`get${pascal}`, 'get', item, `Read a ${name}`, OPTIONAL_BEARER_SECURITY),
      request: { params: IdParamsSchema },
      responses: {
        200: jsonResponse(`The ${name}.`, schemas.item),
        ...problemResponses(400, 401, 404, 503, 504),
      },
    }),
    update: createRoute({
      ...operation(`update${pascal}`, 'patch', item, summaries.update, BEARER_SECURITY),
      request: { params: IdParamsSchema, body: jsonBody(schemas.update) },
      responses: {
        200: jsonResponse(`The updated ${name}.`, schemas.item),
        ...problemResponses(400, 401, 404, 409, 413, 415, 503, 504),
      },
    }),
    delete: createRoute({
      ...operation(`delete${pascal}`, 'delete', item, summaries.delete, BEARER_SECURITY),
      request: { params: IdParamsSchema },
      responses: {
        204: { description: spec.deleted },
        ...problemResponses(400, 401, 404, 503, 504),
      },
    }),
  };
}
