import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { ApiError } from '../errors';
import { requireApiToken } from '../middleware/auth';
import { IdempotencyKeySchema } from '../validation/common';
import { validationHook } from '../validation/hook';
import { renderDocsPage } from './docs-page';
import { health } from './health';
import { listRoutes } from './lists';
import { todoRoutes } from './todos';
import { moveTodoRoutes } from './todos-move';

/** Largest accepted request body; a move of 100 todos is about 4 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The health routes and the Todo API with its auth and body limits, /openapi.json and /docs. */
export const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

for (const resource of ['/lists/*', '/todos/*']) {
  api.use(
    resource,
    requireApiToken(),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
}

api.openAPIRegistry.registerParameter('IdempotencyKey', IdempotencyKeySchema);
api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'The API_TOKEN secret. Writes always need it; reads when READS_REQUIRE_AUTH=true.',
});

api.doc31('/openapi.json', (c) => ({
  openapi: '3.1.0',
  info: {
    title: 'Todo API',
    version: '1.0.0',
    description:
      'Lists and todos on Neon Postgres. Errors are application/problem+json with a stable `code`.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tags: [
    { name: 'lists', description: 'Lists of todos; a name is unique.' },
    { name: 'todos', description: 'Todos, each in one list.' },
    { name: 'health', description: 'Liveness and readiness, for monitors; no token.' },
  ],
  servers: [{ url: new URL(c.req.url).origin }],
}));

api.get('/docs', (c) => {
  const nonce = crypto.randomUUID().replaceAll('-', '');
  // Scripts: only the page's own two, by nonce (Scalar's bundle is a static asset of this
  // Worker). Styles: Scalar's components add <style> elements and style attributes that carry
  // no nonce, so inline styles are allowed; they cannot load anything from another origin.
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; ` +
      "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; " +
      "form-action 'none'; frame-ancestors 'none'",
  );
  return c.html(renderDocsPage(nonce));
});

/** The routes the typed client knows about (see src/client.ts). */
export const apiRoutes = api
  .route('/', health)
  .route('/', listRoutes)
  .route('/', todoRoutes)
  .route('/', moveTodoRoutes);
