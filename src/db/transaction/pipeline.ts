import type { Client } from '@neondatabase/serverless';
import { DriverShapeError } from '../../errors';
import type { PrefixReplies } from './prefix';
import { armTripwire } from './tripwire';

type WireConnection = Client['connection'];

type ActiveQueryKey = 'activeQuery' | '_activeQuery';

/** The handlers of the in-flight query that the prefix's replies are taken from. */
type ActiveQuery = {
  handleCommandComplete(message: { text?: unknown }, connection: unknown): void;
  handleDataRow(message: { fields: unknown[] }): void;
};

const WIRE_METHODS = ['parse', 'bind', 'describe', 'execute', 'sync', 'query'] as const;

/**
 * Sends `prefix` (BEGIN, SET LOCAL…) in the same network burst as the client's next query, under
 * that query's single Sync, so opening a transaction costs no round trip of its own. Returns the
 * prefix's replies as they come; undefined, nothing hooked, when the driver's internals differ
 * (the caller then sends an explicit BEGIN). Calls `refuse` if the statement was held back.
 *
 * node-postgres keeps one query in flight, so this hooks the wire connection once: the prefix goes
 * out as Parse/Bind/Execute before the query's messages, and its replies are taken off that
 * query's result. After an error Postgres skips every message up to Sync (Protocol, "Extended
 * Query"), so the query never runs outside the transaction; for the same reason a parameterless
 * query goes as Parse/Bind/Execute too, never as a simple Query. Until the prefix is written a
 * tripwire on the socket refuses any statement, should the hooks not fire.
 * Tested against @neondatabase/serverless 1.2.0 (pinned).
 */
export function pipelinePrefix(
  client: Client,
  prefix: readonly string[],
  refuse: (error: DriverShapeError) => void,
): PrefixReplies | undefined {
  const activeQueryKey = checkWireShape(client);
  if (!activeQueryKey) return undefined;
  const wire = client.connection;
  const replies: PrefixReplies = { tags: [], values: [] };
  const tripwire = armTripwire(wire, refuse);
  // Returns false, having sent nothing, when the in-flight query is not where it should be.
  const writePrefix = (): boolean => {
    // The hooks are own properties shadowing the prototype's methods; deleting restores them.
    delete (wire as Partial<WireConnection>).parse;
    delete (wire as Partial<WireConnection>).query;
    const query = activeQueryOf(client, activeQueryKey);
    if (!query) {
      tripwire.trip(new DriverShapeError('The driver keeps its active query elsewhere.', true));
      return false;
    }
    tripwire.disarm();
    for (const text of prefix) {
      wire.parse({ text } as never, false);
      wire.bind({} as never, false);
      wire.execute({} as never, false);
    }
    stripPrefixReplies(query, prefix.length, replies);
    return true;
  };
  wire.parse = (config, more) => {
    if (writePrefix()) wire.parse(config, more);
  };
  wire.query = (text) => {
    if (!writePrefix()) return;
    wire.parse({ text } as never, false);
    wire.bind({} as never, false);
    wire.describe({ type: 'P', name: '' } as never, false);
    wire.execute({} as never, false);
    wire.sync();
  };
  return replies;
}

/** Takes the first `count` command completions and data rows off `query` into `replies`. */
function stripPrefixReplies(query: ActiveQuery, count: number, replies: PrefixReplies): void {
  let remaining = count;
  const { handleCommandComplete, handleDataRow } = query;
  query.handleDataRow = (message) => {
    if (remaining > 0) replies.values.push(message.fields[0]);
    else handleDataRow.call(query, message);
  };
  query.handleCommandComplete = (message, connection) => {
    if (remaining === 0) return handleCommandComplete.call(query, message, connection);
    replies.tags.push(String(message.text));
    remaining -= 1;
    if (remaining === 0) {
      delete (query as Partial<ActiveQuery>).handleCommandComplete;
      delete (query as Partial<ActiveQuery>).handleDataRow;
    }
  };
}

function isOwnData(target: object, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor !== undefined && 'value' in descriptor;
}

/**
 * Where the active query lives, if the driver's internals are the ones hooked: the wire methods
 * inherited functions (an own one means someone else replaced it), the socket with `write` and
 * `destroy`, and the active query a plain data property. Checked before connecting.
 */
function checkWireShape(client: Client): ActiveQueryKey | undefined {
  const wire = (client as { connection?: WireConnection }).connection;
  if (!wire || typeof wire !== 'object') return undefined;
  const methods = wire as unknown as Record<string, unknown>;
  for (const name of WIRE_METHODS) {
    if (typeof methods[name] !== 'function' || Object.hasOwn(wire, name)) return undefined;
  }
  const stream = wire.stream as unknown as Record<string, unknown> | undefined;
  if (typeof stream?.write !== 'function' || typeof stream.destroy !== 'function') return undefined;
  // pg 8.16+ stores `_activeQuery` (set in its constructor) behind a deprecated getter.
  if (isOwnData(client, '_activeQuery')) return '_activeQuery';
  // The pinned driver sets `activeQuery` as a data property on the first query; an accessor
  // or a getter on the prototype would hide where the query really is.
  if (!('activeQuery' in client) || isOwnData(client, 'activeQuery')) return 'activeQuery';
  return undefined;
}

/** The in-flight query if it is still where {@link checkWireShape} found it, with both handlers. */
function activeQueryOf(client: Client, key: ActiveQueryKey): ActiveQuery | undefined {
  if (!isOwnData(client, key)) return undefined;
  const query = (client as unknown as Record<string, Partial<ActiveQuery> | null | undefined>)[key];
  if (typeof query?.handleCommandComplete !== 'function') return undefined;
  if (typeof query.handleDataRow !== 'function') return undefined;
  return query as ActiveQuery;
}
