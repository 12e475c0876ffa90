import { Client } from '@neondatabase/serverless';
import {
  DriverShapeError,
  ReplyTimeoutError,
  TransactionAbortedError,
  TxMisuseError,
} from '../../errors';
import type { TxOutcome } from '../../trace';
import { applyDriverSettings } from '../driver-settings';
import { replyTimeoutMs, retryPolicyFor, retryTransient, withinReplyTimeout } from '../retry';
import { dropClient, endClient } from '../ws-client';
import {
  type BeginMode,
  type FirstStatement,
  openSession,
  type Session,
  type SessionContext,
} from './open-session';
import { settleLostCommit } from './outcome';

/** What a finished transaction did; 'unknown' is only ever decided by the middleware. */
export type TxEnd = Exclude<TxOutcome, 'unknown'>;

/** Everything a request's transaction needs from the request. */
export type TxConnectionOptions = SessionContext & {
  /** `ctx.waitUntil` when there is one: closing never delays the response. */
  waitUntil: (promise: Promise<unknown>) => void;
  /** Called with each new `Client` before it is hooked or connected (see `TransactionOptions`). */
  prepareClient?: (client: Client) => void;
};

/**
 * One request's interactive transaction over a WebSocket `Client`, opened by its first statement
 * and retried as a whole on a transient failure (nothing can have committed before COMMIT).
 */
export class TxConnection {
  private opening: Promise<Session> | undefined;
  private session: Session | undefined;
  private ended = false;
  private sessionError: unknown;
  private shapeError: DriverShapeError | undefined;
  /** True once COMMIT was sent: before that, a lost session cannot have committed anything. */
  commitSent = false;

  constructor(private readonly options: TxConnectionOptions) {}

  /** The client drizzle talks to: `drizzle({ client: tx.driverClient })`. */
  readonly driverClient = {
    query: (config: unknown, values?: unknown[]) => this.query(config, values),
  };

  private async query(config: unknown, values?: unknown[]): Promise<unknown> {
    if (this.ended) {
      throw new TxMisuseError(
        'The request transaction has ended; use c.var.tx() only while handling it.',
      );
    }
    if (!this.opening) {
      this.opening = this.open({ config, values });
      const { first } = await this.opening;
      if ('error' in first) throw first.error;
      return first.result;
    }
    const { client } = await this.opening;
    const timeoutMs = replyTimeoutMs(this.options.config);
    const started = Date.now();
    try {
      // A silently dead socket would otherwise hang the request: dropping it rolls back, and
      // later use reports why.
      return await withinReplyTimeout(client.query(config as string, values), timeoutMs, () => {
        this.sessionError ??= new ReplyTimeoutError(timeoutMs ?? 0);
        dropClient(client);
      });
    } catch (error) {
      // After the server ended the session, node-postgres only says "not queryable";
      // the server's own error (e.g. 57P01) says why.
      throw this.sessionError ?? error;
    } finally {
      this.options.trace.queryMs += Date.now() - started;
    }
  }

  private async open(first: FirstStatement): Promise<Session> {
    const { config, trace } = this.options;
    const policy = retryPolicyFor(config, trace.startedAt);
    const attempt = (mode: BeginMode) =>
      retryTransient(
        (timeoutMs) => openSession(this.createClient(), first, mode, timeoutMs, this.options),
        policy,
        trace,
      );
    try {
      this.session = await attempt('pipelined').catch((error: unknown) => {
        // Nothing but the startup went out: the same request can still open it the plain way.
        if (error instanceof DriverShapeError && error.canFallBack) return attempt('explicit');
        throw error;
      });
      return this.session;
    } catch (error) {
      if (error instanceof DriverShapeError) this.shapeError = error;
      throw error;
    }
  }

  private createClient(): Client {
    const client = new Client({ connectionString: this.options.config.databaseUrl });
    // An idle client whose server goes away emits 'error'; unhandled, it would throw.
    client.on('error', (error: unknown) => {
      if (client === this.session?.client) this.sessionError ??= error;
    });
    applyDriverSettings(this.options.config, client);
    this.options.prepareClient?.(client);
    return client;
  }

  /** The session once BEGIN ran, even if the first statement then failed. */
  private async begun(): Promise<Session | undefined> {
    await this.opening?.catch(() => {});
    return this.session;
  }

  /**
   * Ends the transaction after a successful handler: read-only, non-serializable ones without
   * COMMIT (nothing to make durable), others by COMMIT, settled by the xid if its reply is lost.
   * @throws the COMMIT error (e.g. 40001), `CommitUnknownError`, or the
   * {@link DriverShapeError} that refused to open the transaction.
   */
  async commit(): Promise<TxEnd> {
    // A handler that caught the refusal must not turn a transaction that never ran into a 2xx.
    if (this.shapeError) throw this.shapeError;
    const session = await this.begun();
    if (!session) return this.end('none');
    const { config, settings, trace } = this.options;
    if (settings.readOnly && settings.isolationLevel !== 'serializable') {
      this.close(session.client, true);
      return this.end('read_only');
    }
    const started = Date.now();
    let reply: { command: string };
    this.commitSent = true;
    try {
      // A COMMIT with no reply in time is settled like a lost one (the socket is dropped below).
      reply = await withinReplyTimeout(session.client.query('COMMIT'), replyTimeoutMs(config));
    } catch (error) {
      return settleLostCommit(config, session.xid, error, trace);
    } finally {
      trace.commitMs += Date.now() - started;
      this.ended = true;
      this.close(session.client, false);
    }
    // Postgres answers COMMIT of a failed transaction with ROLLBACK, not an error.
    if (reply.command !== 'COMMIT') throw new TransactionAbortedError();
    return 'committed';
  }

  /** Abandons the transaction: closing the session rolls it back, so no ROLLBACK round trip. */
  async rollback(): Promise<TxEnd> {
    const session = await this.begun();
    if (!session) return this.end('none');
    this.close(session.client, true);
    return this.end('rolled_back');
  }

  private end(outcome: TxEnd): TxEnd {
    this.ended = true;
    return outcome;
  }

  /** Closes in the background: Terminate first, unless after COMMIT (saves a round trip). */
  private close(client: Client, terminate: boolean): void {
    // A session the server already ended has nobody to say Terminate to.
    const closing =
      terminate && !this.sessionError ? endClient(client) : Promise.resolve(dropClient(client));
    this.options.waitUntil(closing);
  }
}
