import type { Client } from '@neondatabase/serverless';
import type { AppConfig } from '../../config';
import { ConnectTimeoutError, DriverShapeError, ReplyTimeoutError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { isTransientError } from '../classify-error';
import { replyTimeoutMs } from '../retry';
import { dropClient } from '../ws-client';
import { pipelinePrefix } from './pipeline';
import { explicitReplies, type TxSettings, transactionPrefix, verifyPrefixReplies } from './prefix';

/** BEGIN in the first statement's burst (k + 2 round trips), or as a query of its own (k + 3). */
export type BeginMode = NonNullable<RequestTrace['beginMode']>;

/** The statement that opens the session, as drizzle hands it to the client. */
export type FirstStatement = { config: unknown; values?: unknown[] };

/** What opening a session needs from the request. */
export type SessionContext = { config: AppConfig; settings: TxSettings; trace: RequestTrace };

/** A session whose BEGIN ran, with the first statement's result or, the handler's to see, error. */
export type Session = {
  client: Client;
  /** The transaction id, for looking up a COMMIT whose reply is lost (read-write only). */
  xid?: string;
  first: { result: unknown } | { error: unknown };
};

/**
 * One attempt at connect + BEGIN + first statement, under the connect timeout until the server
 * says it is connected and the reply timeout after. A statement error after BEGIN on a live
 * connection is the handler's (the session is kept for a clean close); anything else drops the
 * socket and throws, for the caller to retry or fall back.
 */
export async function openSession(
  client: Client,
  first: FirstStatement,
  mode: BeginMode,
  timeoutMs: number,
  { config, settings, trace }: SessionContext,
): Promise<Session> {
  const started = Date.now();
  // Rejected by the first of: the connect timeout, the reply timeout, the tripwire.
  let fail: (error: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const prefix = transactionPrefix(settings);
  const pipelined = mode === 'pipelined' ? pipelinePrefix(client, prefix, fail) : undefined;
  trace.beginMode = pipelined ? 'pipelined' : 'explicit';
  let connectedAt: number | undefined;
  let begun = false;
  let xid: string | undefined;
  const sendFirst = async (): Promise<unknown> => {
    if (!pipelined) {
      xid = verifyPrefixReplies(prefix, explicitReplies(await client.query(prefix.join('; '))));
      begun = true;
      return client.query(first.config as string, first.values);
    }
    try {
      const result = await client.query(first.config as string, first.values);
      xid = verifyPrefixReplies(prefix, pipelined);
      return result;
    } finally {
      begun = pipelined.tags[0] === 'BEGIN';
    }
  };

  const connecting = client.connect();
  let timer = setTimeout(() => fail(new ConnectTimeoutError(timeoutMs)), timeoutMs);
  // The driver pipelines startup, password and the first query; the first ReadyForQuery
  // answers the startup, i.e. "connected".
  client.connection.once('readyForQuery', () => {
    connectedAt = Date.now();
    clearTimeout(timer);
    const replyMs = replyTimeoutMs(config);
    if (replyMs !== undefined) {
      timer = setTimeout(() => fail(new ReplyTimeoutError(replyMs)), replyMs);
    }
  });
  const sent = sendFirst();
  for (const promise of [connecting, sent, failure]) promise.catch(() => {});
  try {
    await Promise.race([connecting, failure]);
    const result = await Promise.race([sent, failure]);
    return { client, xid, first: { result } };
  } catch (error) {
    // Only a session whose BEGIN is known to have run is handed to the handler with its error:
    // on any other, a caught error and a next statement would run outside a transaction.
    const begunLive = begun && connectedAt !== undefined;
    if (begunLive && !isTransientError(error) && !(error instanceof DriverShapeError)) {
      return { client, xid, first: { error } };
    }
    dropClient(client);
    throw error;
  } finally {
    clearTimeout(timer);
    const now = Date.now();
    trace.connectMs += (connectedAt ?? now) - started;
    if (connectedAt) trace.queryMs += now - connectedAt;
  }
}
