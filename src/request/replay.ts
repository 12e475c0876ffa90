import type { HonoRequest } from 'hono';
import type { RequestTrace } from '../trace';

/** What a replayed run shares with the run that started the request. */
export type ReplayState = {
  trace: RequestTrace;
  /** The replayed run's failure, if any (set by its transaction middleware). */
  error?: unknown;
};

// Keyed by the rebuilt Request object, which only this module creates: a client cannot forge it.
const replays = new WeakMap<Request, ReplayState>();

/** The replay state when `request` is a replay built by {@link buildReplayRequest}. */
export function replayStateOf(request: Request): ReplayState | undefined {
  return replays.get(request);
}

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/**
 * A copy of the current request for running the handler again, with the same request id.
 * The body comes from Hono's body cache (what the handler read), so it survives a first run;
 * `undefined` when the handler consumed the raw stream itself and the body is gone.
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
  if (!METHODS_WITHOUT_BODY.has(raw.method)) {
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
