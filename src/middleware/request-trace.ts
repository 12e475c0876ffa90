import { classifyDatabaseError } from '../db/classify-error';
import type { AppError } from '../errors';

/** How the request's transaction ended. */
export type TxOutcome = 'committed' | 'rolled_back' | 'none';

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
  errorCode?: string;
  errorKind?: string;
  sqlState?: string;
  errorName?: string;

  /** Remembers the problem code and, for database errors, the kind and SQLSTATE. */
  recordError(appError: AppError, raw: unknown): void {
    this.errorCode = appError.code;
    const info = classifyDatabaseError(raw);
    this.errorKind = info.kind === 'unknown' ? undefined : info.kind;
    this.sqlState = info.sqlState;
    const name = raw instanceof Error ? raw.name : typeof raw;
    this.errorName = name === 'AppError' ? undefined : name;
  }

  /** Milliseconds since the request started. */
  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
