import type { Client } from '@neondatabase/serverless';
import type { AppConfig } from '../../config';
import { ConnectTimeoutError, DriverShapeError, ReplyTimeoutError } from '../../errors';
import type { RequestTrace } from '../../trace';
import { isTransientError } from '../classify-error';
import { replyTimeoutMs } from '../retry';
import { dropClient } from '../ws-client';
import {
  explicitReplies,
  type PipelinedPrefix,
  prefixNextQuery,
  type TxSettings,
  transactionPrefix,
  verifyPrefixReplies,
} from './pipeline';
import { checkWireShape } from './wire-shape';

/**
 * How BEGIN travels: `pipelined` in the first statement's burst (k + 2 round trips), or
 * `explicit` as a simple query of its own before it (k + 3) when the driver's shape differs.
 */
export type BeginMode = 'pipelined' | 'explicit';

/** An opened session: the first statement's result, or its error on a live connection. */
export type OpenedSession = {
  client: Client;
  failed: boolean;
  result?: unknown;
  error?: unknown;
  /** The transaction id, for looking up a COMMIT whose reply is lost (read-write only). */
  xid?: string;
  beginMode: BeginMode;
};

/** The statement that opens the session, as drizzle hands it to the client. */
export type FirstStatement = { config: unknown; values?: unknown[] };

type WireEvents = { once(event: string, listener: () => void): void };

/**
 * Sends the first statement once the transaction is open, and checks that it is: pipelined, the
 * prefix rides in the statement's burst and its replies are verified after it; explicit, the
 * prefix is a simple query of its own, verified before the statement is sent.
 */
async function sendFirst(
  client: Client,
  first: FirstStatement,
  prefix: readonly string[],
  pipelined: PipelinedPrefix | undefined,
  opened: OpenedSession,
  progress: { begun: boolean },
): Promise<unknown> {
  if (pipelined) {
    try {
      const result = await client.query(first.config as string, first.values);
      opened.xid = verifyPrefixReplies(prefix, pipelined.replies);
      return result;
    } finally {
      progress.begun = pipelined.replies.tags[0] === 'BEGIN';
    }
  }
  const begun = await client.query(prefix.join('; '));
  opened.xid = verifyPrefixReplies(prefix, explicitReplies(begun));
  progress.begun = true;
  return client.query(first.config as string, first.values);
}

/**
 * One attempt at connect + BEGIN + first statement, in one burst (or two with an explicit BEGIN),
 * under the connect timeout until the server says it is connected and the reply timeout after.
 * A statement error on a live connection is the handler's (returned, the session kept for a
 * clean close); anything else drops the socket and throws, for the caller to retry.
 */
export async function openSession(
  client: Client,
  first: FirstStatement,
  settings: TxSettings,
  config: AppConfig,
  timeoutMs: number,
  trace: RequestTrace,
  mode: BeginMode = 'pipelined',
): Promise<OpenedSession> {
  const started = Date.now();
  let connectedAt: number | undefined;
  const prefix = transactionPrefix(settings);
  const shape = mode === 'pipelined' ? checkWireShape(client) : undefined;
  const opened: OpenedSession = { client, failed: false, beginMode: shape ? mode : 'explicit' };
  trace.beginMode = opened.beginMode;
  const pipelined = shape ? prefixNextQuery(client, shape, prefix) : undefined;
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
  const progress = { begun: false };
  const result = sendFirst(client, first, prefix, pipelined, opened, progress);
  connecting.catch(() => {});
  result.catch(() => {});
  timeout.catch(() => {});
  const refused = pipelined?.refused ?? new Promise<never>(() => {});
  try {
    await Promise.race([connecting, timeout, refused]);
    opened.result = await Promise.race([result, timeout, refused]);
    return opened;
  } catch (error) {
    // Only a session whose BEGIN is known to have run is handed to the handler with its error:
    // on any other, a caught error and a next statement would run outside a transaction.
    if (
      connectedAt !== undefined &&
      progress.begun &&
      !isTransientError(error) &&
      !isShapeError(error)
    ) {
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

function isShapeError(error: unknown): boolean {
  return error instanceof DriverShapeError;
}
