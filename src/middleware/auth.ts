import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../config';
import { ApiError, ConfigError } from '../errors';

/** Options of {@link requireApiToken}. */
export type ApiTokenOptions = {
  /** Methods that never need the token unless `READS_REQUIRE_AUTH` is "true". */
  readMethods?: string[];
};

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

/**
 * Compares in constant time. Hashing first makes both sides 32 bytes, so neither the
 * comparison nor a length check leaks how much of the token was right.
 */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Parses a "true"/"false" var; anything else is a {@link ConfigError} naming the var. */
export function readsRequireAuth(env: Env): boolean {
  const value = (env.READS_REQUIRE_AUTH ?? '').trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  throw new ConfigError(
    'READS_REQUIRE_AUTH must be "true" or "false"; fix it in wrangler.toml [vars].',
  );
}

/**
 * Requires `Authorization: Bearer <API_TOKEN>` on writes, and on reads too when
 * `READS_REQUIRE_AUTH` is "true". Failures are 401 problems with `WWW-Authenticate` (RFC 6750).
 */
export function requireApiToken(options: ApiTokenOptions = {}) {
  const readMethods = new Set(options.readMethods ?? ['GET', 'HEAD', 'OPTIONS']);
  return createMiddleware<AppEnv>(async function requireApiToken(c, next) {
    if (readMethods.has(c.req.method) && !readsRequireAuth(c.env)) return next();
    // The configuration decides whether this token may be used at all (see loadConfig).
    loadConfig(c.env);
    const expected = c.env.API_TOKEN;
    if (!expected) {
      throw new ConfigError(
        'API_TOKEN is not set, so writes are refused: run `wrangler secret put API_TOKEN` (locally: add it to .dev.vars).',
      );
    }
    const given = BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
    if (given && (await tokensMatch(given, expected))) return next();
    throw new ApiError(
      401,
      'unauthorized',
      given
        ? 'The bearer token is not valid.'
        : 'This request needs the header Authorization: Bearer <API_TOKEN>.',
      {
        headers: {
          'WWW-Authenticate': given
            ? 'Bearer realm="api", error="invalid_token"'
            : 'Bearer realm="api"',
        },
      },
    );
  });
}
