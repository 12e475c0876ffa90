import type { Client } from '@neondatabase/serverless';
import type { AppConfig } from '../../config';
import { ConnectTimeoutError, ReplyTimeoutError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { isTransientError } from '../classify-error';
import { replyTimeoutMs } from '../retry';
import { dropClient } from '../ws-client';
import { beginStatements, prefixNextQuery, type TxSettings, XACT_ID_STATEMENT } from './pipeline';

/** An opened session: the first statement's result, or its error on a live connection. */
export type OpenedSession = {
  client: Client;
  failed: boolean;
  result?: unknown;
  error?: unknown;
  /** The transaction id, for looking up a COMMIT whose reply is lost (read-write only). */
  xid?: string;
};

/** The statement that opens the session, as drizzle hands it to the client. */
export type FirstStatement = { config: unknown; values?: unknown[] };

type WireEvents = { once(event: string, listener: () => void): void };

/**
 * One attempt at connect + BEGIN + first statement, in one burst, under the connect timeout
 * until the server says it is connected and the reply timeout after. A statement error on a live
 * connection is the handler's (returned, the session kept for a clean close); anything else
 * drops the socket and throws, for the caller to retry.
 */
export async function openSession(
  client: Client,
  first: FirstStatement,
  settings: TxSettings,
  config: AppConfig,
  timeoutMs: number,
  trace: RequestTrace,
): Promise<OpenedSession> {
  const started = Date.now();
  let connectedAt: number | undefined;
  const opened: OpenedSession = { client, failed: false };
  const begin = beginStatements(settings);
  const prefix = settings.readOnly ? begin : [...begin, XACT_ID_STATEMENT];
  prefixNextQuery(client, prefix, (fields) => {
    opened.xid = String(fields[0]);
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
    const replyMs = replyTimeoutMs(config);
    if (replyMs !== undefined) {
      timer = setTimeout(() => fail(new ReplyTimeoutError(replyMs)), replyMs);
    }
  });
  const result = client.query(first.config as string, first.values);
  connecting.catch(() => {});
  result.catch(() => {});
  timeout.catch(() => {});
  try {
    await Promise.race([connecting, timeout]);
    opened.result = await Promise.race([result, timeout]);
    return opened;
  } catch (error) {
    if (connectedAt !== undefined && !isTransientError(error)) {
      return { ...opened, failed: true, error };
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
