import { createMiddleware } from 'hono/factory';
import { METHOD_NAME_ALL } from 'hono/router';
import { PatternRouter } from 'hono/router/pattern-router';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors';

/** `routes`: the app's routes, read on the first request, when all are registered. */
export type AllowedMethodsOptions = { routes: () => readonly RouterRoute[] };

// The order methods are listed in `Allow`.
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Which methods the routes answer on a path; middleware (ALL) is left out, GET implies HEAD. */
function methodsOf(routes: readonly RouterRoute[]) {
  const router = new PatternRouter<string>();
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === METHOD_NAME_ALL) continue;
    router.add(route.method, route.path, route.method);
    methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  const ordered = [...methods].sort(
    (a, b) => (METHOD_ORDER.indexOf(a) >>> 0) - (METHOD_ORDER.indexOf(b) >>> 0),
  );
  const answers = (method: string, path: string) =>
    router.match(method === 'HEAD' ? 'GET' : method, path)[0].length > 0;
  return { answers, allowed: (path: string) => ordered.filter((m) => answers(m, path)) };
}

/** A 405 with `Allow` (RFC 9110 §15.5.5) for a known path, before auth and body checks can mask it. */
export function refuseUnsupportedMethods(options: AllowedMethodsOptions) {
  let methods: ReturnType<typeof methodsOf> | undefined;
  return createMiddleware<AppEnv>(async function refuseUnsupportedMethods(c, next) {
    methods ??= methodsOf(options.routes());
    // One match for the usual request; the Allow list is built only for a refusal.
    if (methods.answers(c.req.method, c.req.path)) return next();
    const allowed = methods.allowed(c.req.path);
    if (allowed.length === 0) return next();
    throw new ApiError(
      405,
      'method_not_allowed',
      `${c.req.path} does not answer ${c.req.method}; it answers ${allowed.join(', ')}.`,
      { headers: { Allow: allowed.join(', ') } },
    );
  });
}
