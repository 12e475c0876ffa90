import type { Client, neonConfig } from '@neondatabase/serverless';
import { DriverShapeError } from '../../errors';

// Parse, Bind, Execute and Query: the frontend messages that can run SQL (PostgreSQL
// Protocol, "Message Formats"). Startup, password, Flush, Sync and Terminate cannot.
const STATEMENT_TYPES = new Set(['P', 'B', 'E', 'Q'].map((t) => t.charCodeAt(0)));

/**
 * Reads the frontend byte stream as protocol messages, across writes of any size, and says
 * whether a write holds a message that can run SQL. A message starting with byte 0 is untyped
 * (startup or SSL request: an int32 length comes first, below 16 MiB); any other first byte
 * is the type of a typed message. A malformed length counts as a statement: fail closed.
 */
export function createStatementScanner(): (chunk: Uint8Array) => boolean {
  let skip = 0;
  const header: number[] = [];
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const taken = Math.min(skip, chunk.length - at);
        skip -= taken;
        at += taken;
        continue;
      }
      header.push(chunk[at++] as number);
      const typed = header[0] !== 0;
      if (typed && STATEMENT_TYPES.has(header[0] as number)) return true;
      const size = typed ? 5 : 4;
      if (header.length < size) continue;
      const [a, b, c, d] = header.slice(size - 4) as [number, number, number, number];
      const length = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
      // The length counts itself; what follows it is skipped.
      if (length < 4) return true;
      skip = length - 4;
      header.length = 0;
    }
    return false;
  };
}

/**
 * Guards `wire.stream.write` until the prefix is written: a write holding Parse, Bind, Execute or
 * Query trips it (nothing more is sent, the socket closes, `onTrip` is called). This does not rest
 * on the hooks firing: if a driver update sends the first query another way, it never leaves.
 * Call `disarm` right before writing the prefix; `trip` refuses as an early statement does.
 */
export function armTripwire(
  wire: Client['connection'],
  onTrip: (reason: DriverShapeError) => void,
): { disarm(): void; trip(reason?: DriverShapeError): void } {
  // The driver's d.ts types the socket as `neonConfig` (its Socket class) on `Client['connection']`.
  const stream: neonConfig = wire.stream;
  const write = stream.write;
  const ownWrite = Object.hasOwn(stream, 'write');
  const scan = createStatementScanner();
  let tripped = false;
  const trip = (
    reason = new DriverShapeError('The driver sent a statement before the transaction began.'),
  ) => {
    if (tripped) return;
    tripped = true;
    // Coalesced writes leave on a 0 ms timer (the startup is still queued): closing the
    // WebSocket before it fires would make that timer throw "send() after close()".
    setTimeout(() => {
      stream.destroy();
      onTrip(reason);
    }, 0);
  };
  stream.write = (data, encoding, callback) => {
    const bytes = data instanceof Uint8Array ? data : undefined;
    // An empty write is how the socket's own end() closes it, after destroy() above.
    if (bytes?.length === 0) return write.call(stream, data, encoding, callback);
    // node-postgres writes only byte buffers; anything else is a shape it does not have.
    if (!tripped && (!bytes || scan(bytes))) trip();
    if (tripped) return false;
    return write.call(stream, data, encoding, callback);
  };
  const disarm = () => {
    if (tripped) return;
    if (ownWrite) stream.write = write;
    else delete (stream as Partial<typeof stream>).write;
  };
  return { disarm, trip };
}
