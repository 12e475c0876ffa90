import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Requests that carry a body must send JSON: another Content-Type is a 415 and JSON that does
 * not parse is a 400, both before validation (which would otherwise see an empty object and
 * report every field as missing). The parsed body is cached for the validator.
 */
export function requireJsonBody() {
  return createMiddleware<AppEnv>(async function requireJsonBody(c, next) {
    if (!BODY_METHODS.has(c.req.method)) return next();
    const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(
        415,
        'unsupported_media_type',
        `Content-Type must be application/json, got ${mediaType ? JSON.stringify(mediaType.slice(0, 100)) : 'none'}.`,
      );
    }
    try {
      await c.req.json();
    } catch {
      throw new ApiError(400, 'malformed_json', 'The request body is not valid JSON.');
    }
    return next();
  });
}
