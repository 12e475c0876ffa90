import { classifyDatabaseError } from '../db/classify-error';
import { redactSecrets } from '../db/redact';

const DATABASE_ERROR_NAMES = new Set([
  'DrizzleQueryError',
  'NeonDbError',
  'DatabaseError',
  'error',
]);

/** True when any link of the cause chain came from the driver, Postgres or drizzle. */
function isDatabaseError(error: unknown): boolean {
  for (let link = error, depth = 0; link instanceof Error && depth < 5; depth++) {
    if (DATABASE_ERROR_NAMES.has(link.name) || 'severity' in link) return true;
    if (classifyDatabaseError(link).sqlState) return true;
    link = link.cause;
  }
  return false;
}

import type { AppError } from '../errors';

/** How the request's transaction ended (`read_only`: ended without COMMIT, nothing to save). */
export type TxOutcome = 'committed' | 'read_only' | 'rolled_back' | 'unknown' | 'none';

/**
 * What happened to one request, filled in by the middleware and the error handler and
 * shared across replays. Holds no SQL, parameters or messages, only codes and numbers.
 */
export class RequestTrace {
  readonly startedAt = Date.now();
  /** Connect (+BEGIN) attempts, across replays. */
  connectAttempts = 0;
  /** Times the handler ran (1 + replays). */
  runs = 0;
  connectMs = 0;
  queryMs = 0;
  commitMs = 0;
  /** Time spent sleeping in backoff. */
  waitMs = 0;
  outcome: TxOutcome = 'none';
  /** Set when a COMMIT reply was lost and `pg_xact_status` was asked what happened. */
  commitLookup?: 'committed' | 'aborted' | 'unknown';
  errorCode?: string;
  errorKind?: string;
  sqlState?: string;
  errorName?: string;
  /** Only for errors raised by the app's own code, redacted; database errors never (parameters). */
  errorMessage?: string;

  /** Remembers the problem code and, for database errors, the kind and SQLSTATE. */
  recordError(appError: AppError, raw: unknown, secrets: readonly string[] = []): void {
    this.errorCode = appError.code;
    const info = classifyDatabaseError(raw);
    this.errorKind = info.kind === 'unknown' ? undefined : info.kind;
    this.sqlState = info.sqlState;
    const name = raw instanceof Error ? raw.name : typeof raw;
    this.errorName = name === 'AppError' ? undefined : name;
    this.errorMessage =
      appError.status >= 500 && raw instanceof Error && !isDatabaseError(raw)
        ? redactSecrets(raw.message, secrets).slice(0, 300)
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
