import {
  CommandCompleteScanner,
  isEncryptionRequest,
  parseStartupParameters,
  startupCode,
  WireReader,
} from './pg-wire.ts';

/** The login a WebSocket client used; kept in memory only, to terminate its own backend later. */
export interface SessionLogin {
  user: string;
  database: string;
  password: string;
}

/**
 * Reads just enough of a relayed session to end it as a compute restart would: the login from
 * the client's StartupMessage and PasswordMessage, and the backend pid from BackendKeyData ('K').
 * Each side stops being parsed as soon as its part is known. The server side's message
 * boundaries are followed to the end, so the lost-reply fault can find a COMMIT's reply.
 */
export class SessionInspector {
  backendPid: number | undefined;
  private user: string | undefined;
  private database: string | undefined;
  private password: string | undefined;
  private clientReader: WireReader | undefined = new WireReader('client');
  private loginSent = false;
  private serverReader: WireReader | undefined = new WireReader('server');
  private commitScanner: CommandCompleteScanner | undefined = new CommandCompleteScanner('COMMIT');
  // Each SSLRequest/GSSENCRequest is answered with one byte ('N') that is not a message.
  private serverBytesToSkip = 0;

  /** The login, once the client has sent all of it. */
  get login(): SessionLogin | undefined {
    const { user, database, password } = this;
    if (user === undefined || database === undefined || password === undefined) return undefined;
    return { user, database, password };
  }

  /**
   * Reads a client chunk; returns how many of its bytes belong to the login (the startup phase and
   * the PasswordMessage): all of them while it lasts or when it cannot be read, none once it is over.
   */
  inspectClient(chunk: Buffer): number {
    const reader = this.clientReader;
    if (!reader) return this.loginSent ? 0 : chunk.length;
    let end = -reader.pending;
    try {
      for (const message of reader.push(chunk)) {
        const size = message.body.length + (message.type === null ? 4 : 5);
        if (message.type === null) {
          if (isEncryptionRequest(message.body)) this.serverBytesToSkip += 1;
          else if (startupCode(message.body) >> 16 === 3) this.readStartup(message.body);
          else this.clientReader = undefined;
        } else {
          // Under cleartext `password` auth the first typed message is the PasswordMessage;
          // any other typed message already belongs to the session.
          if (message.type === 'p') this.password = message.body.toString('utf8').split('\0')[0];
          this.clientReader = undefined;
          this.loginSent = true;
          // A message begun in an earlier chunk ends the login before this chunk starts.
          return Math.max(0, message.type === 'p' ? end + size : end);
        }
        end += size;
        if (!this.clientReader) return chunk.length;
      }
    } catch {
      this.clientReader = undefined;
    }
    return chunk.length;
  }

  /** True once the server has sent its BackendKeyData, an error, or what cannot be read. */
  get helloDone(): boolean {
    return this.serverReader === undefined;
  }

  /**
   * True once the server asked for SASL (SCRAM): the client's next messages answer it, so they
   * are part of the login however many there are, and a client cannot pipeline statements.
   */
  saslLogin = false;

  /** Reads a server chunk; returns where a CommandComplete `COMMIT` starts in it, or -1. */
  inspectServer(chunk: Buffer): number {
    let bytes = chunk;
    if (this.serverBytesToSkip > 0) {
      const skipped = Math.min(this.serverBytesToSkip, bytes.length);
      this.serverBytesToSkip -= skipped;
      bytes = bytes.subarray(skipped);
    }
    this.readServerHello(bytes);
    try {
      const commitAt = this.commitScanner?.scan(bytes) ?? -1;
      return commitAt === -1 ? -1 : commitAt + chunk.length - bytes.length;
    } catch {
      this.commitScanner = undefined;
      return -1;
    }
  }

  private readServerHello(bytes: Buffer): void {
    const reader = this.serverReader;
    if (!reader) return;
    try {
      for (const message of reader.push(bytes)) {
        if (message.type === 'K' && message.body.length >= 4) {
          this.backendPid = message.body.readInt32BE(0);
        }
        // AuthenticationSASL (code 10).
        if (
          message.type === 'R' &&
          message.body.length >= 4 &&
          message.body.readInt32BE(0) === 10
        ) {
          this.saslLogin = true;
        }
        if (message.type === 'K' || message.type === 'E') {
          this.serverReader = undefined;
          return;
        }
      }
    } catch {
      this.serverReader = undefined;
    }
  }

  private readStartup(body: Buffer): void {
    const parameters = parseStartupParameters(body);
    this.user = parameters.user;
    this.database = parameters.database ?? parameters.user;
  }
}
