import type { HonoRequest } from 'hono';
import type { AppConfig } from '../../config';
import { ApiError, CommitUnknownError, RetriesExhaustedError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { classifyDatabaseError, unwrapQueryError } from '../classify-error';

/** What a replayed run shares with the first: the trace, and back from it, how it failed. */
export type ReplayState = { trace: RequestTrace; error?: unknown; nothingCommitted?: boolean };

// Keyed by the rebuilt Request object, which only this module creates: a client cannot forge it.
const replays = new WeakMap<Request, ReplayState>();

/** The replay state when `request` is a replay built by {@link buildReplayRequest}. */
export function replayStateOf(request: Request): ReplayState | undefined {
  return replays.get(request);
}

/**
 * A copy of the request, same request id, for running the handler again. The body comes from
 * Hono's body cache; `undefined` when the handler consumed the raw stream itself.
 */
export async function buildReplayRequest(
  req: HonoRequest,
  requestId: string,
  state: ReplayState,
): Promise<Request | undefined> {
  const raw = req.raw;
  const headers = new Headers(raw.headers);
  headers.delete('content-length');
  headers.set('X-Request-Id', requestId);
  let body: ArrayBuffer | undefined;
  if (raw.method !== 'GET' && raw.method !== 'HEAD') {
    try {
      body = await req.arrayBuffer();
    } catch {
      return undefined;
    }
  }
  const request = new Request(raw.url, { method: raw.method, headers, body });
  replays.set(request, state);
  return request;
}

/**
 * Whether run number `run` failed in a way a new run can fix, within DB_MAX_TX_ATTEMPTS (the
 * caller checks the deadline): 40001/40P01 always, a lost connection only when `lossIsSafe`: a
 * safe (read-only) method, or a write whose session died before COMMIT was sent (rolled back).
 */
export function shouldReplay(
  failure: unknown,
  config: AppConfig,
  run: number,
  lossIsSafe: boolean,
  trace: RequestTrace,
): boolean {
  // An ApiError is an answer the code chose; an unknown commit or a committed write batch must
  // not run twice; exhausted retries already spent the deadline.
  if (failure === undefined || failure instanceof ApiError || run >= config.maxTxAttempts) {
    return false;
  }
  if (failure instanceof CommitUnknownError || trace.outcome === 'committed') return false;
  if (unwrapQueryError(failure) instanceof RetriesExhaustedError) return false;
  const { kind } = classifyDatabaseError(failure);
  if (kind === 'serialization_failure') return true;
  // After a lost connection only a run that cannot have committed is safe to run again.
  return lossIsSafe && (kind === 'transient' || kind === 'too_many_connections');
}
