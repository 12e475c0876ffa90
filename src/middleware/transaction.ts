import { drizzle } from 'drizzle-orm/neon-serverless';
import type { Context, Next } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, HttpDatabase, TxDatabase, TxOptions } from '../app-env';
import { type AppConfig, loadConfig } from '../config';
import { classifyDatabaseError, unwrapQueryError } from '../db/classify-error';
import { createHttpDatabase } from '../db/http-database';
import { backoffDelayMs, retryPolicyFor, sleep } from '../db/retry';
import * as schema from '../db/schema';
import { TxConnection } from '../db/tx-connection';
import { refuseNestedTransaction } from '../db/tx-misuse';
import { ApiError, CommitUnknownError, RetriesExhaustedError } from '../errors';
import { buildReplayRequest, type ReplayState, replayStateOf } from '../request/replay';
import { clearError, elapsedMs, type RequestTrace, startTrace } from '../trace';

/** Runs a request through the whole app again (normally `app.fetch`); enables replays. */
export type DispatchFn = (
  request: Request,
  env: Env,
  ctx?: ExecutionContext,
) => Response | Promise<Response>;

/** Options of {@link transaction}. */
export type TransactionOptions = {
  /** Without it, a serialization failure is answered 503 instead of replayed. */
  dispatch?: DispatchFn;
  /** Methods whose transactions are READ ONLY and may be replayed on a transient failure. */
  readOnlyMethods?: readonly string[];
};

type RunResult = { failure?: unknown; fromCommit?: boolean };

function executionContextOf(c: Context<AppEnv>): ExecutionContext | undefined {
  try {
    return c.executionCtx as unknown as ExecutionContext;
  } catch {
    // Hono throws when the app was called without one (some tests, app.request()).
    return undefined;
  }
}

function waitUntilOf(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  const ctx = executionContextOf(c);
  return (promise) => {
    const settled = promise.catch(() => {});
    ctx?.waitUntil(settled);
  };
}

const refuseInRequest = refuseNestedTransaction(
  'c.var.tx() is already the request transaction: run statements on it directly, not in .transaction().',
);

/** One run of the handler with its own lazy transaction; commits or rolls back after it. */
async function runHandler(
  c: Context<AppEnv>,
  next: Next,
  trace: RequestTrace,
  readOnlyByDefault: boolean,
): Promise<RunResult> {
  trace.runs += 1;
  clearError(trace);
  let connection: TxConnection | undefined;
  let txDatabase: TxDatabase | undefined;
  let httpDatabase: HttpDatabase | undefined;
  c.set('tx', async (options: TxOptions = {}) => {
    if (!txDatabase) {
      const config = loadConfig(c.env);
      connection = new TxConnection({
        config,
        settings: {
          isolationLevel: options.isolationLevel ?? config.isolationLevel,
          readOnly: options.readOnly ?? readOnlyByDefault,
          statementTimeoutMs: config.statementTimeoutMs,
        },
        policy: retryPolicyFor(config, trace.startedAt),
        trace,
        waitUntil: waitUntilOf(c),
      });
      txDatabase = drizzle({ client: connection.driverClient as never, schema });
      txDatabase.transaction = refuseInRequest;
    }
    return txDatabase;
  });
  c.set('http', () => {
    httpDatabase ??= createHttpDatabase(loadConfig(c.env), trace, { retry: readOnlyByDefault });
    return httpDatabase;
  });

  try {
    await next();
  } catch (error) {
    // Only reached when no onError is installed; Hono's next() does not throw otherwise.
    trace.outcome = connection ? await connection.rollback() : 'none';
    throw error;
  }
  if (!connection) return { failure: c.error };
  if (c.error !== undefined || c.res.status >= 400) {
    trace.outcome = await connection.rollback();
    return { failure: c.error };
  }
  try {
    trace.outcome = await connection.commit();
    return {};
  } catch (error) {
    trace.outcome = error instanceof CommitUnknownError ? 'unknown' : 'rolled_back';
    return { failure: error, fromCommit: true };
  }
}

function shouldReplay(
  failure: unknown,
  config: AppConfig,
  run: number,
  safeMethod: boolean,
  trace: RequestTrace,
): boolean {
  // An ApiError is an answer the code chose; exhausted retries already spent the deadline.
  if (failure === undefined || failure instanceof ApiError) return false;
  if (failure instanceof CommitUnknownError) return false;
  if (unwrapQueryError(failure) instanceof RetriesExhaustedError) return false;
  if (run >= config.maxTxAttempts || elapsedMs(trace) >= config.retryDeadlineMs) return false;
  const { kind } = classifyDatabaseError(failure);
  if (kind === 'serialization_failure') return true;
  // A GET or HEAD is safe to run again after a lost connection; a write might have had effects.
  return safeMethod && (kind === 'transient' || kind === 'too_many_connections');
}

/**
 * Gives handlers `c.var.tx()` (a lazy interactive transaction) and `c.var.http()` (one-shot
 * queries, each retried on a connection failure in GET/HEAD, so read-only there). Commits when the handler succeeds; rolls back when it throws or answers >= 400.
 * On 40001/40P01 (and, for GET/HEAD, on a transient failure) it runs the whole request again
 * through `dispatch`, up to DB_MAX_TX_ATTEMPTS runs within DB_RETRY_DEADLINE_MS.
 * @example app.use(transaction({ dispatch: (req, env, ctx) => app.fetch(req, env, ctx) }))
 */
export function transaction(options: TransactionOptions = {}) {
  const readOnlyMethods = new Set(options.readOnlyMethods ?? ['GET', 'HEAD']);
  return createMiddleware<AppEnv>(async function transaction(c, next) {
    const replay = replayStateOf(c.req.raw);
    const trace = replay?.trace ?? c.var.trace ?? startTrace();
    c.set('trace', trace);
    const safeMethod = readOnlyMethods.has(c.req.method);
    let result = await runHandler(c, next, trace, safeMethod);
    if (replay) {
      replay.error = result.failure;
      if (result.fromCommit) throw result.failure;
      return;
    }
    for (let run = 1; options.dispatch && result.failure !== undefined; run++) {
      let config: AppConfig;
      try {
        config = loadConfig(c.env);
      } catch {
        break;
      }
      if (!shouldReplay(result.failure, config, run, safeMethod, trace)) break;
      const state: ReplayState = { trace };
      const request = await buildReplayRequest(c.req, c.var.requestId, state);
      if (!request) break;
      const waitMs = backoffDelayMs(retryPolicyFor(config, trace.startedAt), run);
      trace.waitMs += waitMs;
      await sleep(waitMs);
      const response = await options.dispatch(request, c.env, executionContextOf(c));
      // Assigning undefined first stops Hono from merging the failed run's headers into the new response.
      c.res = undefined;
      c.res = response;
      c.error = state.error instanceof Error ? state.error : undefined;
      result = { failure: state.error };
    }
    if (result.fromCommit) throw result.failure;
  });
}
