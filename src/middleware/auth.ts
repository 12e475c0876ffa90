import type { Context } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../config';
import { ConfigError } from '../errors';

/** `readMethods` need the token only when `READS_REQUIRE_AUTH` is "true". */
export type ApiTokenOptions = { readMethods?: string[] };

// RFC 6750 b64token: what hono/bearer-auth accepts after "Bearer ".
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;

const sha256 = (text: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));

/** Constant time: hashing makes both sides 32 bytes, so no length check leaks how much was right. */
async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

// hono answers a malformed header 400; this API answers every refusal 401, with its own detail.
function refuse(detail: string, challenge: string) {
  const res = new Response(null, { status: 401, headers: { 'WWW-Authenticate': challenge } });
  return {
    message: (): never => {
      throw new HTTPException(401, { message: detail, res });
    },
  };
}

const NO_TOKEN = refuse(
  'This request needs the header Authorization: Bearer <API_TOKEN>.',
  'Bearer realm="api"',
);

const checkBearer = bearerAuth({
  realm: 'api',
  verifyToken: (token, c) => tokensMatch(token, (c.env as Env).API_TOKEN ?? ''),
  noAuthenticationHeader: NO_TOKEN,
  invalidAuthenticationHeader: NO_TOKEN,
  invalidToken: refuse(
    'The bearer token is not valid.',
    'Bearer realm="api", error="invalid_token"',
  ),
});

/** `Authorization: Bearer <API_TOKEN>` on writes (and reads with READS_REQUIRE_AUTH); 401 per RFC 6750. */
export function requireApiToken(options: ApiTokenOptions = {}) {
  const readMethods = new Set(options.readMethods ?? ['GET', 'HEAD', 'OPTIONS']);
  return createMiddleware<AppEnv>(async function requireApiToken(c, next) {
    const { readsRequireAuth } = loadConfig(c.env);
    if (readMethods.has(c.req.method) && !readsRequireAuth) return next();
    const expected = c.env.API_TOKEN;
    if (!expected) {
      throw new ConfigError(
        'API_TOKEN is not set, so writes are refused: run `wrangler secret put API_TOKEN` (locally: add it to .dev.vars).',
      );
    }
    if (!TOKEN68.test(expected)) {
      throw new ConfigError(
        'API_TOKEN may only hold letters, digits and -._~+/ (then = padding), as a bearer token ' +
          'must; generate one with `openssl rand -hex 32`.',
      );
    }
    // bearerAuth is typed for hono's base Env; it reads only the request and c.env.
    return checkBearer(c as Context, next);
  });
}
