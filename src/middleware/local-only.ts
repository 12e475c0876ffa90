import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { isLoopbackHost, loadConfig } from '../config';
import { ApiError } from '../errors';
import { pickCorsOrigin } from './cors';

type LocalOnlyOptions = {
  /** The problem code of a refusal; defaults to `forbidden_origin`. */
  code?: string;
};

// A broken knob (READS_REQUIRE_AUTH=maybe) must not switch the guard off while DATABASE_URL still
// names the local stack, so only the host is read when the whole config does not validate. With no
// readable DATABASE_URL the Worker reaches no database, and /health stays 200 for a monitor.
function talksToLocalStack(env: Env): boolean {
  try {
    return loadConfig(env).isLocal;
  } catch {
    try {
      return isLoopbackHost(new URL(String(env.DATABASE_URL).trim()).hostname);
    } catch {
      return false;
    }
  }
}

function hostnameOf(origin: string): string | null {
  try {
    return new URL(origin).hostname;
  } catch {
    return null;
  }
}

/**
 * Against the local stack (a loopback `DATABASE_URL`), answers only requests for a loopback name
 * from no page, a loopback page or one in `CORS_ORIGINS`: a page rebound to 127.0.0.1 (`Host:
 * evil.example`) or a foreign page gets 403 before any route runs. Against a remote database it
 * does nothing.
 */
export function localOnly(options: LocalOnlyOptions = {}) {
  const code = options.code ?? 'forbidden_origin';
  return createMiddleware<AppEnv>(async function localOnly(c, next) {
    if (!talksToLocalStack(c.env)) return next();
    // wrangler dev keeps the client's Host; a test's Request has only its URL. Both must be local.
    const host = c.req.header('Host');
    const hostOk =
      isLoopbackHost(new URL(c.req.url).hostname) &&
      (host === undefined || isLoopbackHost(hostnameOf(`http://${host}`) ?? ''));
    if (!hostOk) {
      throw new ApiError(403, code, 'The local Worker answers only 127.0.0.1, localhost or [::1].');
    }
    const origin = c.req.header('Origin');
    if (origin === undefined) return next();
    const originHost = hostnameOf(origin);
    if (originHost && isLoopbackHost(originHost)) return next();
    if (pickCorsOrigin(origin, c.env.CORS_ORIGINS ?? '')) return next();
    throw new ApiError(
      403,
      code,
      'The local Worker answers pages only from a loopback origin or one in CORS_ORIGINS.',
    );
  });
}
