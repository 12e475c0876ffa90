import type { Client } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import type { Context, Next } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { RequestIdVariables } from 'hono/request-id';
import { type AppConfig, loadConfig } from '../../config';
import { CommitUnknownError, TxMisuseError } from '../../errors';
import { clearError, type RequestTrace, startTrace } from '../../trace';
import { backOff, retryPolicyFor } from '../retry';
import * as schema from '../schema';
import { runWriteBatch } from './batch';
import { TxConnection } from './connection';
import { createHttpDatabase } from './http';
import { buildReplayRequest, type ReplayState, replayStateOf, shouldReplay } from './replay';
import type { HttpDatabase, TransactionVariables, TxDatabase, TxOptions } from './types';

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
  /** Sees each WebSocket `Client` before it connects: for instrumentation, and driver-shape tests. */
  prepareClient?: (client: Client) => void;
};

// Declared here rather than as AppEnv, which imports this folder: no import circle.
type TransactionEnv = {
  Bindings: Env;
  Variables: TransactionVariables & RequestIdVariables & { trace: RequestTrace };
};
// `nothingCommitted`: the run failed before COMMIT and nothing else of it may have written.
type RunResult = { failure?: unknown; fromCommit?: boolean; nothingCommitted?: boolean };

/** Stands in for drizzle's `transaction()`, whose own BEGIN/COMMIT would commit ours half-way. */
export function refuseNestedTransaction(message: string): TxDatabase['transaction'] {
  return (() => {
    throw new TxMisuseError(message);
  }) as TxDatabase['transaction'];
}

const refuseInRequest = refuseNestedTransaction(
  'c.var.tx() is already the request transaction: run statements on it directly, not in .transaction().',
);

const ONE_WRITE_PER_REQUEST =
  'A request writes through one c.var.batch() or through c.var.tx(), not both and not two batches.';

function executionContextOf(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx as unknown as ExecutionContext;
  } catch {
    // Hono throws when the app was called without one (some tests, app.request()).
    return undefined;
  }
}

/** One run of the handler with its own lazy transaction; commits or rolls back after it. */
async function runHandler(
  c: Context<TransactionEnv>,
  next: Next,
  trace: RequestTrace,
  readOnlyByDefault: boolean,
  prepareClient: TransactionOptions['prepareClient'],
): Promise<RunResult> {
  trace.runs += 1;
  clearError(trace);
  let connection: TxConnection | undefined;
  let txDatabase: TxDatabase | undefined;
  let httpDatabase: HttpDatabase | undefined;
  let batchUsed = false;
  c.set('tx', async (options: TxOptions = {}) => {
    if (batchUsed) throw new TxMisuseError(ONE_WRITE_PER_REQUEST);
    if (!txDatabase) {
      const config = loadConfig(c.env);
      const ctx = executionContextOf(c);
      connection = new TxConnection({
        config,
        settings: {
          isolationLevel: options.isolationLevel ?? config.isolationLevel,
          readOnly: options.readOnly ?? readOnlyByDefault,
          statementTimeoutMs: config.statementTimeoutMs,
        },
        trace,
        waitUntil: (promise) => ctx?.waitUntil(promise.catch(() => {})),
        prepareClient,
      });
      txDatabase = drizzle({ client: connection.driverClient as never, schema });
      txDatabase.transaction = refuseInRequest;
    }
    return txDatabase;
  });
  c.set('batch', async (build, options) => {
    if (batchUsed || connection) throw new TxMisuseError(ONE_WRITE_PER_REQUEST);
    batchUsed = true;
    const context = { config: loadConfig(c.env), trace, requestId: c.var.requestId ?? '' };
    return runWriteBatch(context, build, options);
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
    // Outside GET/HEAD an http() query may have written (autocommit): such a run is not replayed.
    const httpMayHaveWritten = httpDatabase !== undefined && !readOnlyByDefault;
    return { failure: c.error, nothingCommitted: !httpMayHaveWritten && !connection.commitSent };
  }
  try {
    trace.outcome = await connection.commit();
    return {};
  } catch (error) {
    trace.outcome = error instanceof CommitUnknownError ? 'unknown' : 'rolled_back';
    return { failure: error, fromCommit: true };
  }
}

/**
 * Gives handlers `c.var.tx()`, `c.var.batch()` and `c.var.http()` ({@link TransactionVariables}),
 * commits or rolls back after the handler, and runs the whole request again through `dispatch`
 * when {@link shouldReplay} says so, up to DB_MAX_TX_ATTEMPTS runs within DB_RETRY_DEADLINE_MS.
 * @example app.use(transaction({ dispatch: (req, env, ctx) => app.fetch(req, env, ctx) }))
 */
export function transaction(options: TransactionOptions = {}) {
  const readOnlyMethods = new Set(options.readOnlyMethods ?? ['GET', 'HEAD']);
  return createMiddleware<TransactionEnv>(async function transaction(c, next) {
    const replay = replayStateOf(c.req.raw);
    const trace = replay?.trace ?? c.var.trace ?? startTrace();
    c.set('trace', trace);
    const safeMethod = readOnlyMethods.has(c.req.method);
    let result = await runHandler(c, next, trace, safeMethod, options.prepareClient);
    if (replay) {
      replay.error = result.failure;
      replay.nothingCommitted = result.nothingCommitted;
    }
    // A replay reports back to the run that dispatched it, which decides about the next one.
    for (let run = 1; !replay && options.dispatch && result.failure !== undefined; run++) {
      let config: AppConfig;
      try {
        config = loadConfig(c.env);
      } catch {
        break;
      }
      const lossIsSafe = safeMethod || result.nothingCommitted === true;
      if (!shouldReplay(result.failure, config, run, lossIsSafe, trace)) break;
      const state: ReplayState = { trace };
      const request = await buildReplayRequest(c.req, c.var.requestId, state);
      if (!request) break;
      // backOff refuses a wait that would end past DB_RETRY_DEADLINE_MS: no replay starts after it.
      if (!(await backOff(retryPolicyFor(config, trace.startedAt), run, trace))) break;
      const response = await options.dispatch(request, c.env, executionContextOf(c));
      // Assigning undefined first stops Hono from merging the failed run's headers into the new response.
      c.res = undefined;
      c.res = response;
      c.error = state.error instanceof Error ? state.error : undefined;
      result = { failure: state.error, nothingCommitted: state.nothingCommitted };
    }
    if (result.fromCommit) throw result.failure;
  });
}
