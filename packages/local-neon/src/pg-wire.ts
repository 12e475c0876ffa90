/** One PostgreSQL wire-protocol message; `type` is null for the untyped startup-phase packets. */
export interface WireMessage {
  type: string | null;
  body: Buffer;
}

// Request codes of the untyped startup-phase packets (PostgreSQL protocol docs, "Message Formats").
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

// Only the short startup-phase messages are ever inspected; a longer one ends inspection.
const MAX_INSPECTED_LENGTH = 1024 * 1024;

/**
 * Splits one direction of a connection into messages. The client side starts with untyped
 * startup-phase packets (Int32 length first): SSLRequest and GSSENCRequest keep it there, the
 * StartupMessage (or a CancelRequest) ends it.
 */
export class WireReader {
  private buffered: Buffer = Buffer.alloc(0);
  private untyped: boolean;

  constructor(side: 'client' | 'server') {
    this.untyped = side === 'client';
  }

  /** Bytes of an incomplete message kept from earlier chunks. */
  get pending(): number {
    return this.buffered.length;
  }

  push(chunk: Buffer): WireMessage[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const messages: WireMessage[] = [];
    for (;;) {
      const header = this.untyped ? 4 : 5;
      if (this.buffered.length < header) break;
      const length = this.buffered.readInt32BE(header - 4);
      if (length < 4 || length > MAX_INSPECTED_LENGTH) throw new Error('unexpected message length');
      const total = length + header - 4;
      if (this.buffered.length < total) break;
      const body = this.buffered.subarray(header, total);
      const type = this.untyped ? null : String.fromCharCode(this.buffered[0] ?? 0);
      messages.push({ type, body });
      this.buffered = this.buffered.subarray(total);
      if (type === null && !isEncryptionRequest(body)) this.untyped = false;
    }
    return messages;
  }
}

/** Whether an untyped packet asks for SSL or GSS encryption (answered by one byte, not a message). */
export function isEncryptionRequest(body: Buffer): boolean {
  const code = startupCode(body);
  return code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE;
}

/** The request code of a startup-phase packet (196608 for a protocol 3.0 StartupMessage). */
export function startupCode(body: Buffer): number {
  return body.length >= 4 ? body.readInt32BE(0) : -1;
}

/** The name/value parameters of a StartupMessage body (user, database, application_name...). */
export function parseStartupParameters(body: Buffer): Record<string, string> {
  const parts = body.subarray(4).toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const name = parts[i];
    if (name) parameters[name] = parts[i + 1] ?? '';
  }
  return parameters;
}

/** A backend ErrorResponse ('E') with severity, SQLSTATE and message, as the server sends it. */
export function encodeErrorResponse(severity: 'ERROR' | 'FATAL', code: string, message: string) {
  const fields = Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0, 'latin1');
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

const TYPED_HEADER_BYTES = 5;
// A CommandComplete tag is a few words; a longer 'C' body is not one this scanner looks for.
const MAX_TAG_BYTES = 64;

/**
 * Follows the message boundaries of a server stream without keeping message bodies, and tells
 * where a CommandComplete ('C') with one tag (e.g. `COMMIT`) starts in a chunk.
 */
export class CommandCompleteScanner {
  private header: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private tag: Buffer[] | undefined;
  private tagBytes = 0;

  constructor(private readonly wanted: string) {}

  /**
   * The offset in `chunk` where the first wanted CommandComplete starts (0 if it started in an
   * earlier chunk), or -1. Reads the whole chunk either way, so the next one stays aligned.
   */
  scan(chunk: Buffer): number {
    let found = -1;
    let start = this.header.length > 0 || this.bodyLeft > 0 ? 0 : -1;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft === 0) {
        if (this.header.length === 0) start = offset;
        const take = Math.min(TYPED_HEADER_BYTES - this.header.length, chunk.length - offset);
        this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
        offset += take;
        if (this.header.length < TYPED_HEADER_BYTES) break;
        const length = this.header.readInt32BE(1);
        if (length < 4) throw new Error('unexpected message length');
        this.tag = this.header[0] === 0x43 ? [] : undefined;
        this.tagBytes = 0;
        this.bodyLeft = length - 4;
        this.header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(this.bodyLeft, chunk.length - offset);
      if (this.tag && this.tagBytes + take <= MAX_TAG_BYTES) {
        this.tag.push(chunk.subarray(offset, offset + take));
        this.tagBytes += take;
      } else {
        this.tag = undefined;
      }
      offset += take;
      this.bodyLeft -= take;
      if (this.bodyLeft === 0 && this.tag) {
        const text = Buffer.concat(this.tag).toString('utf8');
        this.tag = undefined;
        if (found === -1 && text === `${this.wanted}\0`) found = start;
      }
    }
    return found;
  }
}
