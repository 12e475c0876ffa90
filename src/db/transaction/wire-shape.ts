import type { Client } from '@neondatabase/serverless';

/** node-postgres' wire connection inside the Neon driver, as the driver's published types give it. */
export type WireConnection = Client['connection'];

/** Where the client keeps its in-flight query: `activeQuery` (pinned driver) or `_activeQuery`. */
export type ActiveQueryKey = 'activeQuery' | '_activeQuery';

/** The handlers of the in-flight query that the prefix's replies are taken from. */
export type ActiveQuery = {
  handleCommandComplete(message: { text?: unknown }, connection: unknown): void;
  handleDataRow(message: { fields: unknown[] }): void;
};

/** What {@link checkWireShape} found: the wire to hook and where the active query lives. */
export type WireShape = { wire: WireConnection; activeQueryKey: ActiveQueryKey };

const WIRE_METHODS = ['parse', 'bind', 'describe', 'execute', 'sync', 'query'] as const;

function isOwnData(target: object, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor !== undefined && 'value' in descriptor;
}

/**
 * Checks, before connecting, that the driver's internals are the ones the pipelined BEGIN hooks:
 * the wire methods are inherited functions (an own one means someone else replaced it), the
 * socket has `write` and `destroy`, and the active query is a plain data property. Undefined
 * when anything differs: the caller then opens the transaction with an explicit BEGIN.
 */
export function checkWireShape(client: Client): WireShape | undefined {
  const wire = (client as { connection?: WireConnection }).connection;
  if (!wire || typeof wire !== 'object') return undefined;
  const methods = wire as unknown as Record<string, unknown>;
  for (const name of WIRE_METHODS) {
    if (typeof methods[name] !== 'function' || Object.hasOwn(wire, name)) return undefined;
  }
  const stream = wire.stream as unknown as Record<string, unknown> | undefined;
  if (typeof stream?.write !== 'function' || typeof stream.destroy !== 'function') return undefined;
  // pg 8.16+ stores `_activeQuery` (set in its constructor) behind a deprecated getter.
  if (isOwnData(client, '_activeQuery')) return { wire, activeQueryKey: '_activeQuery' };
  // The pinned driver sets `activeQuery` as a data property on the first query; an accessor
  // or a getter on the prototype would hide where the query really is.
  if (!('activeQuery' in client) || isOwnData(client, 'activeQuery')) {
    return { wire, activeQueryKey: 'activeQuery' };
  }
  return undefined;
}

/** The in-flight query if it is where {@link checkWireShape} said and has both handlers. */
export function activeQueryOf(client: Client, key: ActiveQueryKey): ActiveQuery | undefined {
  if (!isOwnData(client, key)) return undefined;
  const query = (client as unknown as Record<string, unknown>)[key] as
    | Partial<ActiveQuery>
    | null
    | undefined;
  if (typeof query?.handleCommandComplete !== 'function') return undefined;
  if (typeof query.handleDataRow !== 'function') return undefined;
  return query as ActiveQuery;
}
