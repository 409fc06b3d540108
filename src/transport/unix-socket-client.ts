/**
 * The client end of the Unix-socket control plane: a `ControlConnection` over a stream socket
 * with the length-prefix framing of docs/TRANSPORT.md §2.
 */
import { connect, type Socket } from 'node:net';
import { parseChannel } from './channel.js';
import type { ControlConnection } from './control-connection.js';
import { LengthPrefixDecoder } from './length-prefix-framing.js';
import { SocketFrameOutput, stageFrame } from './socket-frame-output.js';
import { TransportError, TransportErrorCode } from './transport-error.js';

export interface ConnectOptions {
  /** Give up connecting after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export class UnixControlConnection implements ControlConnection {
  /** Each frame is a fresh copy the handler may keep. */
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onClose: ((cause: Error | null) => void) | null = null;
  private isClosed = false;
  private readonly decoder = new LengthPrefixDecoder();
  private readonly output: SocketFrameOutput;
  /** Why the socket failed, reported by onClose once it has closed. */
  private failure: Error | null = null;

  constructor(
    private readonly socket: Socket,
    readonly channel: string,
  ) {
    this.output = new SocketFrameOutput(socket);
    socket.on('data', (chunk: Buffer) => {
      try {
        // A real copy (Buffer#slice would be a view pinning the whole read buffer).
        this.decoder.push(chunk, (b, off, len) => this.onFrame?.(Uint8Array.prototype.slice.call(b, off, off + len)));
      } catch (e) {
        this.failure = e instanceof Error ? e : new Error(String(e));
        socket.destroy();
      }
    });
    socket.on('error', (e) => {
      this.failure ??= new TransportError(TransportErrorCode.CLOSED, `control connection to ${channel} failed: ${e.message}`, { cause: e });
    });
    socket.on('close', () => this.finish(this.failure ?? new TransportError(TransportErrorCode.CLOSED, `the driver at ${channel} closed the connection`)));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Writes one SBE message (sent or copied before this returns). With nothing queued on the
   * socket it goes to the kernel without allocating (socket-frame-output.ts): a producer's
   * FrameDescriptor per published frame costs no garbage.
   */
  send(frame: Uint8Array): void {
    if (this.isClosed) throw new TransportError(TransportErrorCode.CLOSED, `control connection to ${this.channel} is closed`);
    stageFrame(frame, 0, frame.length);
    this.output.writeStaged();
  }

  /**
   * Closes locally: queued messages are still written, then the socket ends; the driver treats
   * it as this client going away (its leases are revoked). onClose(null) is called at once.
   */
  close(): void {
    if (this.isClosed) return;
    this.output.end();
    // Pending writes keep the process alive; an unanswered end must not.
    this.socket.unref();
    this.finish(null);
  }

  private finish(cause: Error | null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClose?.(cause);
  }
}

/** Connects to a driver's `unix:<absolute path>` channel. Rejects with TransportError CONNECT/TIMEOUT/BAD_CHANNEL. */
export function connectUnix(channel: string, options: ConnectOptions = {}): Promise<UnixControlConnection> {
  const { path } = parseChannel(channel);
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError(TransportErrorCode.TIMEOUT, `no driver answered on ${channel} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (e: Error & { code?: string }): void => {
      clearTimeout(timer);
      const hint =
        e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
          ? 'no driver is running there (start one with `tensorpool driver`)'
          : e.code === 'EACCES'
            ? 'permission denied (the socket is for its owner and group)'
            : e.message;
      reject(new TransportError(TransportErrorCode.CONNECT, `cannot connect to ${channel}: ${hint}`, { cause: e }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(new UnixControlConnection(socket, channel));
    });
  });
}
