import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Options of an {@link AppError}: `details` becomes the problem's `errors` member. */
export type AppErrorOptions = { details?: unknown; cause?: unknown };

/**
 * The app's own errors: a stable `code` and a message in the app's words (never SQL, a parameter
 * or a secret), so it may be logged. It says what happened; src/problem.ts picks the status.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/**
 * An answer the route layer chose, with its status: the one error type handlers throw.
 * @example throw new ApiError(404, 'todo_not_found', `No todo with id ${id}.`)
 */
export class ApiError extends AppError {
  override readonly name = 'ApiError';
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: AppErrorOptions & { headers?: Record<string, string> } = {},
  ) {
    super(code, message, options);
    this.status = status as ContentfulStatusCode;
    this.headers = options.headers ?? {};
  }
}

/** A binding is missing or wrong; the message names the variable and the fix, never its value. */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super('configuration_error', message);
  }
}

/** The handler used the request transaction in a way the middleware forbids. */
export class TxMisuseError extends AppError {
  override readonly name = 'TxMisuseError';
  constructor(message: string) {
    super('transaction_misuse', message);
  }
}

/** One connect attempt hung past its connect timeout; its connection has been dropped. */
export class ConnectTimeoutError extends AppError {
  override readonly name = 'ConnectTimeoutError';
  constructor(timeoutMs: number) {
    super('connect_timeout', `connect timed out after ${timeoutMs} ms`);
  }
}

/** A connected session sent no reply within connect timeout + statement timeout: presumed dead. */
export class ReplyTimeoutError extends AppError {
  override readonly name = 'ReplyTimeoutError';
  constructor(timeoutMs: number) {
    super('reply_timeout', `no reply from the database: timed out after ${timeoutMs} ms`);
  }
}

/** Transient failures outlasted the retry deadline; `cause` is the last failure. */
export class RetriesExhaustedError extends AppError {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super('retries_exhausted', `gave up after ${attempts} attempt(s)`, { cause });
  }
}

const COMMIT_UNKNOWN =
  'The reply to the commit was lost and the database could not say whether the change was saved.';

/** The connection was lost during COMMIT and the database could not say whether it committed. */
export class CommitUnknownError extends AppError {
  override readonly name = 'CommitUnknownError';
  constructor(cause: unknown) {
    super('commit_unknown', COMMIT_UNKNOWN, { cause });
  }
}

/** A statement failed inside the transaction (and was caught), so COMMIT rolled it back. */
export class TransactionAbortedError extends AppError {
  override readonly name = 'TransactionAbortedError';
  constructor() {
    super(
      'transaction_aborted',
      'A statement failed inside the transaction, so nothing was saved.',
    );
  }
}

/**
 * The driver's internals differ from what opening the request transaction relies on; nothing ran
 * outside a transaction. `canFallBack`: only the startup was sent, so an explicit BEGIN may follow.
 */
export class DriverShapeError extends AppError {
  override readonly name = 'DriverShapeError';
  constructor(
    message: string,
    readonly canFallBack = false,
  ) {
    super('transaction_unavailable', message);
  }
}
