import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';

/** Options of {@link corsFromEnv}. */
export type CorsOptions = { maxAgeSeconds?: number };

/** The entries of a comma-separated `CORS_ORIGINS`, `*` included. */
function corsOriginsOf(configured = ''): string[] {
  return configured
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The allowed origin for `origin` under a comma-separated `CORS_ORIGINS`, or null. */
export function pickCorsOrigin(origin: string, configured: string): string | null {
  const allowed = corsOriginsOf(configured);
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : null;
}

/** True when `CORS_ORIGINS` names `origin` itself: `*` admits every page to CORS, but names none. */
export function isListedCorsOrigin(origin: string, configured?: string): boolean {
  return origin !== '*' && corsOriginsOf(configured).includes(origin);
}

/**
 * CORS for the origins in the `CORS_ORIGINS` var; with none configured the API sends no CORS
 * headers at all, so only same-origin pages and non-browser clients can call it.
 */
export function corsFromEnv(options: CorsOptions = {}) {
  const handleCors = cors({
    origin: (origin, c) => pickCorsOrigin(origin, (c.env as Env).CORS_ORIGINS ?? ''),
    allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: [
      'X-Request-Id',
      'Idempotent-Replayed',
      'Location',
      'Retry-After',
      'Server-Timing',
    ],
    maxAge: options.maxAgeSeconds ?? 600,
  });
  return createMiddleware<AppEnv>(async function corsFromEnv(c, next) {
    if (!c.env.CORS_ORIGINS?.trim()) return next();
    return handleCors(c, next);
  });
}
