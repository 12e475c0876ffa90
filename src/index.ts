import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import type { AppEnv } from './app-env';
import { replayStateOf, type TransactionOptions, transaction } from './db/transaction';
import { handleError, handleNotFound } from './error-handler';
import { IDEMPOTENCY_KEYS, logPurge, TX_RECEIPTS } from './jobs/purge-expired';
import { refuseUnsupportedMethods } from './middleware/allowed-methods';
import { corsFromEnv } from './middleware/cors';
import { localOnly } from './middleware/local-only';
import { requestTrace } from './middleware/request-trace';
import { api } from './routes/api';

/** `extraRoutes` are mounted before the API (tests' probes); `log` defaults to `console.log`. */
export type CreateAppOptions = {
  extraRoutes?: Hono<AppEnv>;
  log?: (line: string) => void;
  /** Passed to the transaction middleware (see {@link TransactionOptions}); tests use it. */
  prepareClient?: TransactionOptions['prepareClient'];
};

/**
 * The app: request id, trace, secure headers, the local-only guard (refuses pages and rebound
 * names against the local stack), CORS, 405s, the transaction, routes, one error path.
 */
export function createApp(options: CreateAppOptions = {}) {
  const app = new Hono<AppEnv>();
  // A caller's X-Request-Id is kept when it is short and plain ([A-Za-z0-9_=-]).
  app.use(requestId({ limitLength: 128 }));
  // A replay's nested app.fetch answers inside this request: only the outer run sets the header.
  app.use(timing({ enabled: (c) => !replayStateOf(c.req.raw), totalDescription: '' }));
  app.use(requestTrace({ log: options.log }));
  // Every answer, health and errors included, gets the same headers; overwrite: false lets the
  // docs page keep its own, looser CSP.
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      overwrite: false,
    }),
    // Before CORS and the routes, so a refused page gets no CORS headers and no route runs.
    localOnly(),
    corsFromEnv(),
    refuseUnsupportedMethods({ routes: () => app.routes }),
  );
  app.use(
    transaction({
      dispatch: (request, env, ctx) => app.fetch(request, env, ctx),
      prepareClient: options.prepareClient,
    }),
  );
  if (options.extraRoutes) app.route('/', options.extraRoutes);
  app.route('/', api);
  app.onError(handleError);
  app.notFound(handleNotFound);
  return app;
}

const app = createApp();

export default {
  fetch: app.fetch,
  /**
   * Cron Trigger (wrangler.toml [triggers]): purge expired Idempotency-Key records, then
   * receipts, one connection at a time (logPurge logs its own failure and never rejects).
   */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(logPurge(env, IDEMPOTENCY_KEYS).then(() => logPurge(env, TX_RECEIPTS)));
  },
} satisfies ExportedHandler<Env>;
