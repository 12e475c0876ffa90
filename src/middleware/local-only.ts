import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { isLoopbackUrl, usesLocalDatabase } from '../config';
import { ApiError } from '../errors';
import { isListedCorsOrigin } from './cors';

/** `code`: the problem code of a refusal; defaults to `forbidden_origin`. */
type LocalOnlyOptions = { code?: string };

/**
 * Against the local stack (a loopback `DATABASE_URL`), answers only requests for a loopback name
 * from no page, a loopback page or one listed in `CORS_ORIGINS` (`*` lists none): a page rebound
 * to 127.0.0.1 (`Host: evil.example`) or a foreign page gets 403 before any route runs.
 */
export function localOnly(options: LocalOnlyOptions = {}) {
  const code = options.code ?? 'forbidden_origin';
  return createMiddleware<AppEnv>(async function localOnly(c, next) {
    if (!usesLocalDatabase(c.env)) return next();
    // wrangler dev keeps the client's Host; a test's Request has only its URL. Both must be local.
    const host = c.req.header('Host');
    if (!isLoopbackUrl(c.req.url) || (host !== undefined && !isLoopbackUrl(`http://${host}`))) {
      throw new ApiError(403, code, 'The local Worker answers only 127.0.0.1, localhost or [::1].');
    }
    const origin = c.req.header('Origin');
    if (origin === undefined || isLoopbackUrl(origin)) return next();
    if (isListedCorsOrigin(origin, c.env.CORS_ORIGINS)) return next();
    throw new ApiError(
      403,
      code,
      'The local Worker answers pages only from a loopback origin or one in CORS_ORIGINS.',
    );
  });
}
