import type { Hook } from '@hono/zod-openapi';
import { AppError } from '../errors';

/** One validation failure, as listed in the problem's `errors` member. */
export type FieldIssue = { path: string; message: string };

const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
};

/**
 * The `defaultHook` of every OpenAPIHono app: a zod failure becomes the core's 400
 * `validation_failed` problem, its `detail` naming each field and what was wrong with it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const prefix = TARGET_NAMES[result.target] ?? result.target;
  const issues: FieldIssue[] = result.error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
  const detail = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new AppError(400, 'validation_failed', detail, { details: issues });
};
