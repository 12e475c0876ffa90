import { connect, type Socket } from 'node:net';
import { type RawData, WebSocket } from 'ws';
import type { CounterSet } from './counters.ts';
import type { FaultController } from './faults.ts';
import { encodeErrorResponse } from './pg-wire.ts';
import { SessionInspector } from './session-inspector.ts';
import {
  COMPUTE_UNAVAILABLE,
  computeUnreachable,
  type Refusal,
  TOO_MANY_CLIENTS,
} from './upstream-errors.ts';
import { waitWithin } from './wait-within.ts';

/** What a WebSocket session needs from its endpoint. */
export interface SessionContext {
  upstream: { host: string; port: number };
  faults: FaultController;
  counters: CounterSet;
  /** How long PostgreSQL has to accept the connection and answer the client's first bytes. */
  connectTimeoutMs: number;
  log: (line: string) => void;
}

// A refused client gets its ErrorResponse after its StartupMessage, as from PostgreSQL; one that
// never sends one is closed after this long.
const STARTUP_WAIT_MS = 5_000;

/**
 * One WebSocket relayed byte for byte to the upstream PostgreSQL, and only there: the path,
 * `?address=` and the StartupMessage never choose the destination.
 */
export class WsSession {
  readonly inspector = new SessionInspector();
  /** Settles when both sides are closed. */
  readonly closed: Promise<void>;
  private upstreamSocket: Socket | undefined;
  private writeChain: Promise<void>;
  private serverSpokeLast = true;
  private wroteUpstream = false;
  private admitted = false;
  private freezeChecked = false;
  /** Statements held back under `freezeBackends` until the backend is stopped, with their latency. */
  private held: { chunk: Buffer; delayMs: number }[] | undefined;
  private finished = false;
  private markClosed = () => {};
  private markFirstMessage = () => {};
  private readonly firstMessage = new Promise<void>((resolve) => {
    this.markFirstMessage = resolve;
  });

  constructor(
    private readonly ws: WebSocket,
    private readonly context: SessionContext,
    readonly id: number,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    context.counters.countWsOpened();
    ws.on('message', (data) => this.relayClientData(toBuffer(data)));
    ws.on('close', () => this.finish());
    ws.on('error', () => this.finish());
    this.writeChain = this.open();
  }

  /** False once the client side has closed. */
  get active(): boolean {
    return !this.finished;
  }

  /** Drops both sides at once (endpoint shutdown, or a session with no backend to terminate). */
  destroy(): void {
    this.ws.terminate();
    this.upstreamSocket?.destroy();
    this.finish();
  }

  private async open(): Promise<void> {
    const verdict = await this.context.faults.admit();
    if (verdict === 'compute-unavailable') return this.refuse(COMPUTE_UNAVAILABLE);
    if (verdict === 'too-many-clients') return this.refuse(TOO_MANY_CLIENTS);
    this.admitted = true;
    if (this.finished) return this.context.faults.release();
    const failure = await this.connectUpstream();
    if (failure) return this.refuse(computeUnreachable(failure));
  }

  /** Answers the client's StartupMessage with an ErrorResponse, as PostgreSQL or Neon would. */
  private async refuse(refusal: Refusal): Promise<void> {
    this.context.log(`ws #${this.id} refused: ${refusal.code}`);
    await waitWithin(this.firstMessage, STARTUP_WAIT_MS);
    this.sendRefusal(refusal);
  }

  private sendRefusal(refusal: Refusal): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeErrorResponse(refusal.severity, refusal.code, refusal.message));
    this.ws.close();
  }

  /** Resolves once connected, or with the error if the upstream cannot be reached. */
  private connectUpstream(): Promise<Error | undefined> {
    const { host, port } = this.context.upstream;
    const socket = connect({ host, port });
    this.upstreamSocket = socket;
    socket.setNoDelay(true);
    this.boundUpstream(socket, 'connect');
    return new Promise((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => {
        this.context.log(`ws #${this.id} upstream error: ${error.code ?? error.message}`);
        resolve(error);
      });
      socket.once('connect', () => {
        socket.on('data', (chunk) => this.relayServerData(chunk));
        socket.on('close', () => this.ws.close());
        resolve(undefined);
      });
    });
  }

  /**
   * Gives up on the upstream unless `until` happens within the connect timeout: the TCP connect,
   * then PostgreSQL's first bytes after the first client bytes were sent on. A frozen PostgreSQL
   * (SIGSTOP) still completes the handshake in the kernel; the wait starts after the injected
   * latency, so a slow client or a latency fault is never blamed on PostgreSQL.
   */
  private boundUpstream(socket: Socket, until: 'connect' | 'data'): void {
    const timeoutMs = this.context.connectTimeoutMs;
    const timer = setTimeout(() => {
      const silent = new Error(`PostgreSQL did not answer within ${timeoutMs} ms`);
      if (!socket.connecting) this.sendRefusal(computeUnreachable(silent));
      socket.destroy(silent);
    }, timeoutMs);
    socket.once(until, () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  }

  private relayClientData(chunk: Buffer): void {
    const opensBurst = this.serverSpokeLast;
    this.serverSpokeLast = false;
    if (opensBurst) this.context.counters.countWsBurst();
    this.markFirstMessage();
    const loginBytes = this.inspector.inspectClient(chunk);
    const delayMs = opensBurst ? this.context.faults.latency : 0;
    // Under freezeBackends the driver's pipelined statements wait here until the backend is
    // stopped, so a frozen backend has run none of them: the freeze lands before the first.
    const hold =
      this.held !== undefined ||
      (loginBytes < chunk.length &&
        !this.freezeChecked &&
        !this.inspector.saslLogin &&
        this.context.faults.freezeRequested);
    if (hold) {
      this.held ??= [];
      // The burst's latency is paid once: by its login part when that goes now.
      this.held.push({ chunk: chunk.subarray(loginBytes), delayMs: loginBytes > 0 ? 0 : delayMs });
      if (loginBytes > 0) this.sendUpstream(chunk.subarray(0, loginBytes), delayMs);
      return;
    }
    this.sendUpstream(chunk, delayMs);
  }

  private sendUpstream(chunk: Buffer, delayMs: number): void {
    this.writeChain = this.writeChain.then(async () => {
      await this.context.faults.delayBy(delayMs);
      const socket = this.upstreamSocket;
      if (!socket || socket.destroyed || socket.connecting) return;
      socket.write(chunk);
      if (!this.wroteUpstream) {
        this.wroteUpstream = true;
        this.boundUpstream(socket, 'data');
      }
    });
  }

  private relayServerData(chunk: Buffer): void {
    this.serverSpokeLast = true;
    const commitAt = this.inspector.inspectServer(chunk);
    const pid = this.inspector.backendPid;
    if (pid !== undefined && !this.freezeChecked) {
      this.freezeChecked = true;
      this.context.faults.freezeIfAsked(pid);
    }
    if (this.held && this.inspector.helloDone) {
      for (const { chunk: held, delayMs } of this.held) this.sendUpstream(held, delayMs);
      this.held = undefined;
    }
    if (commitAt !== -1 && this.context.faults.takeLostReply('ws')) {
      this.loseReply(chunk, commitAt);
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(chunk);
    }
  }

  /** PostgreSQL has committed; the client gets what preceded the COMMIT reply, then a dead socket. */
  private loseReply(chunk: Buffer, commitAt: number): void {
    if (commitAt > 0 && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(chunk.subarray(0, commitAt));
    }
    this.context.counters.countLostReply();
    this.context.log(`ws #${this.id}: COMMIT reply lost (fault)`);
    this.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.markFirstMessage();
    this.context.counters.countWsClosed();
    if (this.admitted) this.context.faults.release();
    const socket = this.upstreamSocket;
    // Let queued client bytes (the Terminate message) reach PostgreSQL before closing its side.
    // Held ones are dropped: their client is gone, and a statement released now would run unseen.
    void this.writeChain.then(() => socket?.end());
    if (!socket || socket.destroyed) this.markClosed();
    else socket.once('close', () => this.markClosed());
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
