/**
 * The control bench's end of a socket: raw length-prefixed frames, no DriverClient, so what is
 * measured is the server (driver or baseline), not a client library. Frames arrive as views
 * valid during the handler (LengthPrefixDecoder); `until` waits for one matching frame.
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, LengthPrefixDecoder } from '../../src/transport/length-prefix-framing.js';

export type FrameTest = (buffer: Uint8Array, offset: number, length: number) => boolean;

export class FrameConn {
  /** Called for every frame (broadcasts included) before any `until` waiter. */
  onFrame: FrameTest | null = null;
  private readonly decoder = new LengthPrefixDecoder();
  private waiter: { test: FrameTest; resolve: () => void } | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) =>
      this.decoder.push(chunk, (b, off, len) => {
        this.onFrame?.(b, off, len);
        const w = this.waiter;
        if (w !== null && w.test(b, off, len)) {
          this.waiter = null;
          w.resolve();
        }
      }),
    );
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(path: string, timeoutMs = 5000): Promise<FrameConn> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no server on ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(new FrameConn(s));
      });
    });
  }

  /** Frames and writes one message. */
  send(message: Uint8Array): void {
    this.socket.write(encodeFrame(message));
  }

  /** Writes already-framed bytes; false when the socket's buffer is full (wait for `drained`). */
  write(framed: Uint8Array): boolean {
    return this.socket.write(framed);
  }

  drained(): Promise<void> {
    if (this.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('drain', () => resolve()));
  }

  /** Resolves at the next frame passing `test` (one waiter at a time), or rejects after `ms`. */
  until(test: FrameTest, ms = 5000, what = 'a frame'): Promise<void> {
    if (this.waiter !== null) throw new Error('FrameConn.until: one waiter at a time');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiter = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** u16 LE at `at`. */
export function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

/** "schema/template" test for a frame view. */
export function isMessage(b: Uint8Array, off: number, schemaId: number, templateId: number): boolean {
  return u16(b, off + 4) === schemaId && u16(b, off + 2) === templateId;
}
