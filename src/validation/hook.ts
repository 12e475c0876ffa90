import type { Hook } from '@hono/zod-openapi';
import { ApiError } from '../errors';

/** One validation failure, as listed in the problem's `errors` member. */
export type FieldIssue = { path: string; message: string };

type ZodIssueLike = { code: string; path: PropertyKey[]; message: string; keys?: string[] };

const TARGET_NAMES: Record<string, string> = { json: 'body', param: 'path' };

/** A 400 `validation_failed` problem whose `detail` names each field and what was wrong. */
export function toValidationError(target: string, zodIssues: readonly ZodIssueLike[]): ApiError {
  const prefix = TARGET_NAMES[target] ?? target;
  const issues: FieldIssue[] = zodIssues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
  const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new ApiError(400, 'validation_failed', detail, { details: issues });
}

/** The `defaultHook` of every OpenAPIHono app: a zod failure becomes {@link toValidationError}. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw toValidationError(result.target, result.error.issues);
};
