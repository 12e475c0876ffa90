import { Client } from '@neondatabase/serverless';
import type { AppConfig } from '../config';
import {
  CommitUnknownError,
  ConnectTimeoutError,
  ReplyTimeoutError,
  TransactionAbortedError,
  TxMisuseError,
} from '../errors';
import type { RequestTrace, TxOutcome } from '../trace';
import { beginStatements, type TxSettings, XACT_ID_STATEMENT } from './begin-statements';
import { isTransientError, sqlStateOf } from './classify-error';
import { dropClient, endClient } from './close-client';
import { lookUpCommitStatus } from './commit-status';
import { applyDriverSettings } from './driver-settings';
import { prefixNextQuery } from './pipeline-begin';
import { type RetryPolicy, replyTimeoutMs, retryTransient, withinReplyTimeout } from './retry';

/** What a finished transaction did; 'unknown' is only ever decided by the middleware. */
export type TxEnd = Exclude<TxOutcome, 'unknown'>;

/** Everything a request's transaction needs from the request. */
export type TxConnectionOptions = {
  config: AppConfig;
  settings: TxSettings;
  policy: RetryPolicy;
  trace: RequestTrace;
  /** `ctx.waitUntil` when there is one: closing never delays the response. */
  waitUntil: (promise: Promise<unknown>) => void;
};

type QueryResultLike = { command?: string };
type Opened = { client: Client; failed: boolean; result?: unknown; error?: unknown };
type WireEvents = { once(event: string, listener: () => void): void };
type QueryFn = (config: unknown, values?: unknown[]) => Promise<unknown>;

/**
 * One request's interactive transaction over a WebSocket `Client`, opened by the first statement:
 * connect, BEGIN, SET LOCAL and that statement travel in one burst, retried as a whole on a
 * transient failure (nothing can have committed before COMMIT). Later statements go as they come.
 */
export class TxConnection {
  private client: Client | undefined;
  private opening: Promise<Opened> | undefined;
  private xid: string | undefined;
  private ended = false;
  private sessionError: unknown;

  constructor(private readonly options: TxConnectionOptions) {}

  /** The client drizzle talks to: `drizzle({ client: tx.driverClient })`. */
  readonly driverClient = { query: ((config, values) => this.query(config, values)) as QueryFn };

  private async query(config: unknown, values?: unknown[]): Promise<unknown> {
    if (this.ended) {
      throw new TxMisuseError(
        'The request transaction has ended; use c.var.tx() only while handling it.',
      );
    }
    if (!this.opening) {
      this.opening = this.open(config, values);
      const first = await this.opening;
      if (first.failed) throw first.error;
      return first.result;
    }
    const { client } = await this.opening;
    const started = Date.now();
    try {
      // A silently dead socket would otherwise hang the request; dropping it rolls back.
      return await withinReplyTimeout(
        client.query(config as string, values),
        replyTimeoutMs(this.options.config),
        () => this.abandon(client),
      );
    } catch (error) {
      // After the server ended the session, node-postgres only says "not queryable";
      // the server's own error (e.g. 57P01) says why.
      throw this.sessionError ?? error;
    } finally {
      this.options.trace.queryMs += Date.now() - started;
    }
  }

  private async open(config: unknown, values?: unknown[]): Promise<Opened> {
    const { policy, trace } = this.options;
    const opened = await retryTransient(
      (timeoutMs) => this.openOnce(this.createClient(), timeoutMs, config, values),
      policy,
      trace,
    );
    this.client = opened.client;
    return opened;
  }

  private createClient(): Client {
    const client = new Client({ connectionString: this.options.config.databaseUrl });
    // An idle client whose server goes away emits 'error'; unhandled, it would throw.
    client.on('error', (error: unknown) => {
      if (client === this.client) this.sessionError ??= error;
    });
    applyDriverSettings(this.options.config, client);
    return client;
  }

  /**
   * One attempt at connect + BEGIN + first statement. A statement error on a live connection is
   * the handler's (returned, the session kept for a clean close); anything else drops the socket.
   */
  private async openOnce(
    client: Client,
    timeoutMs: number,
    config: unknown,
    values?: unknown[],
  ): Promise<Opened> {
    const { config: appConfig, settings, trace } = this.options;
    const started = Date.now();
    let connectedAt: number | undefined;
    this.xid = undefined;
    const begin = beginStatements(settings);
    const prefix = settings.readOnly ? begin : [...begin, XACT_ID_STATEMENT];
    prefixNextQuery(client, prefix, (fields) => {
      this.xid = String(fields[0]);
    });
    const connecting = client.connect();
    // The driver pipelines startup, password and the first query; the first ReadyForQuery is
    // the server's answer to the startup, i.e. "connected".
    const wire = (client as unknown as { connection: WireEvents }).connection;
    let fail: (error: Error) => void = () => {};
    const timeout = new Promise<never>((_, reject) => {
      fail = reject;
    });
    let timer = setTimeout(() => fail(new ConnectTimeoutError(timeoutMs)), timeoutMs);
    wire.once('readyForQuery', () => {
      connectedAt = Date.now();
      clearTimeout(timer);
      // Connected: the first statement now gets the reply timeout instead.
      const replyMs = replyTimeoutMs(appConfig);
      if (replyMs !== undefined) {
        timer = setTimeout(() => fail(new ReplyTimeoutError(replyMs)), replyMs);
      }
    });
    const first = client.query(config as string, values);
    connecting.catch(() => {});
    first.catch(() => {});
    timeout.catch(() => {});
    try {
      await Promise.race([connecting, timeout]);
      return { client, failed: false, result: await Promise.race([first, timeout]) };
    } catch (error) {
      if (connectedAt !== undefined && !isTransientError(error)) {
        return { client, failed: true, error };
      }
      this.close(client, false);
      throw error;
    } finally {
      clearTimeout(timer);
      const now = Date.now();
      trace.connectMs += (connectedAt ?? now) - started;
      if (connectedAt) trace.queryMs += now - connectedAt;
    }
  }

  /**
   * Ends the transaction after a successful handler. Read-only, non-serializable transactions
   * end without COMMIT (nothing to make durable; closing the session ends them). Otherwise the
   * COMMIT reply is awaited; if the connection drops instead, the transaction id settles it.
   * @throws the COMMIT error (e.g. 40001), or 503 `commit_unknown` when the outcome cannot be known.
   */
  async commit(): Promise<TxEnd> {
    if (!(await this.hasSession())) return this.end('none');
    const { settings, trace } = this.options;
    const client = this.client as Client;
    if (settings.readOnly && settings.isolationLevel !== 'serializable') {
      this.close(client, true);
      return this.end('read_only');
    }
    const started = Date.now();
    let result: QueryResultLike;
    try {
      // A COMMIT with no reply in time is settled like a lost one (the socket is dropped below).
      result = (await withinReplyTimeout(
        client.query('COMMIT'),
        replyTimeoutMs(this.options.config),
      )) as QueryResultLike;
    } catch (error) {
      return this.settleLostCommit(error);
    } finally {
      trace.commitMs += Date.now() - started;
      this.ended = true;
      this.close(client, false);
    }
    // Postgres answers COMMIT of a failed transaction with ROLLBACK, not an error.
    if (result.command !== 'COMMIT') throw new TransactionAbortedError();
    return 'committed';
  }

  private async settleLostCommit(error: unknown): Promise<TxEnd> {
    const { config } = this.options;
    if (!this.xid || (sqlStateOf(error) && !isTransientError(error))) throw error;
    const status = await lookUpCommitStatus(config, this.xid);
    this.options.trace.commitLookup = status;
    if (status === 'committed') return 'committed';
    if (status === 'aborted') throw error;
    throw new CommitUnknownError(error);
  }

  /** Gives up on a session that stopped answering: later use reports why, and rollback drops it. */
  private abandon(client: Client): void {
    this.sessionError ??= new ReplyTimeoutError(replyTimeoutMs(this.options.config) ?? 0);
    dropClient(client);
  }

  /** Abandons the transaction: closing the session rolls it back, so no ROLLBACK round trip. */
  async rollback(): Promise<TxEnd> {
    if (!(await this.hasSession())) return this.end('none');
    this.close(this.client as Client, true);
    return this.end('rolled_back');
  }

  /** True when a session exists (BEGIN ran), even if the first statement then failed. */
  private async hasSession(): Promise<boolean> {
    if (!this.opening) return false;
    try {
      await this.opening;
      return true;
    } catch {
      return false;
    }
  }

  private end(outcome: TxEnd): TxEnd {
    this.ended = true;
    return outcome;
  }

  /**
   * Closes in the background. `terminate` sends Terminate first (Postgres then ends any open
   * transaction quietly); after a COMMIT the socket is just closed, which saves a round trip.
   */
  private close(client: Client, terminate: boolean): void {
    // A session the server already ended has nobody to say Terminate to.
    const closing =
      terminate && !this.sessionError ? endClient(client) : Promise.resolve(dropClient(client));
    this.options.waitUntil(closing);
  }
}
