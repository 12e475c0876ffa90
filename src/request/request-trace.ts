import { ConfigError } from '../config';
import { classifyDatabaseError, unwrapQueryError } from '../db/classify-error';
import { redactSecrets } from '../db/redact';
import { ConnectTimeoutError, ReplyTimeoutError, RetriesExhaustedError } from '../db/retry';
import { TxMisuseError } from '../db/tx-misuse-error';
import { AppError } from '../errors';

/** How the request's transaction ended (`read_only`: ended without COMMIT, nothing to save). */
export type TxOutcome = 'committed' | 'read_only' | 'rolled_back' | 'unknown' | 'none';

// Errors whose message the app wrote itself. Every other message may quote SQL, a parameter or a
// value Postgres echoed back (22P02 names the bad input), so it never reaches a log line.
const OWN_ERRORS = [
  AppError,
  ConfigError,
  RetriesExhaustedError,
  ConnectTimeoutError,
  ReplyTimeoutError,
  TxMisuseError,
];

function isOwnError(error: unknown): error is Error {
  return OWN_ERRORS.some((type) => error instanceof type);
}

/**
 * What happened to one request, filled in by the middleware and the error handler and
 * shared across replays. Holds no SQL, parameters or messages, only codes and numbers.
 */
export class RequestTrace {
  readonly startedAt = Date.now();
  /** Connection attempts across replays: WebSocket connects and HTTP queries, retries included. */
  connectAttempts = 0;
  /** Write batches sent through `c.var.batch()` across replays (attempts counted in connectAttempts). */
  batches = 0;
  /** Times the handler ran (1 + replays). */
  runs = 0;
  connectMs = 0;
  queryMs = 0;
  commitMs = 0;
  /** Time spent sleeping in backoff. */
  waitMs = 0;
  outcome: TxOutcome = 'none';
  /**
   * Set when a COMMIT or write batch reply was lost and the database was asked what happened
   * (`pg_xact_status` for `tx()`, the receipt for a batch; `aborted` = not committed).
   */
  commitLookup?: 'committed' | 'aborted' | 'unknown';
  errorCode?: string;
  errorKind?: string;
  sqlState?: string;
  errorName?: string;
  /** Only the text of the app's own errors (allowlist), redacted; never a driver's or drizzle's. */
  errorMessage?: string;

  /** Remembers the problem code and, for database errors, the kind and SQLSTATE. */
  recordError(appError: AppError, raw: unknown, secrets: readonly string[] = []): void {
    this.errorCode = appError.code;
    const info = classifyDatabaseError(raw);
    this.errorKind = info.kind === 'unknown' ? undefined : info.kind;
    this.sqlState = info.sqlState;
    const error = unwrapQueryError(raw);
    const name = error instanceof Error ? error.name : typeof error;
    this.errorName = name === 'AppError' ? undefined : name;
    this.errorMessage =
      appError.status >= 500 && isOwnError(error)
        ? redactSecrets(error.message, secrets).slice(0, 300)
        : undefined;
  }

  /** Forgets the error of an earlier run before a replay. */
  clearError(): void {
    this.errorCode = undefined;
    this.errorKind = undefined;
    this.sqlState = undefined;
    this.errorName = undefined;
    this.errorMessage = undefined;
  }

  /** Milliseconds since the request started. */
  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
