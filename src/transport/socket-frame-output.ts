/**
 * Writing framed messages to a stream socket without allocating (issue 6: 0 bytes per published
 * frame; the driver's FrameDescriptor relay and announces benefit too).
 *
 * `socket.write` allocates per call (a framed copy, Node's write request, callback state). Here a
 * frame is framed once into a process-wide staging buffer (length prefix + bytes, docs/TRANSPORT.md
 * §2) and handed to one non-blocking send(2) on the socket's descriptor (the tp_mmap addon's
 * `send`). What the kernel does not take — its socket buffer is full because the reader lags —
 * is kept in the connection's overflow buffer, and every later frame is appended there until it
 * has drained: the stream gets one copy per backpressure episode (so libuv tells us when the
 * socket is writable again), not one per frame.
 *
 * Invariant — bytes reach the socket in `write` order: a direct send happens only while nothing
 * is queued (no overflow, `writableLength === 0`); otherwise the frame goes behind what is queued.
 * Without the addon (not built, not Unix) or without a descriptor yet, frames go through
 * `socket.write`, a copy each: correct, only not allocation-free.
 */
import type { Socket } from 'node:net';
import { optionalNativeMmap, type NativeMmap } from '../shm/native-mmap.js';
import { checkSendLength, LENGTH_PREFIX_BYTES, MAX_FRAME_BYTES } from './length-prefix-framing.js';

/** The frame being written (JavaScript runs one write at a time: one buffer per process). */
const staging = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + MAX_FRAME_BYTES);
let staged = 0;

/** undefined until first use; null when the addon is unavailable (then writes are portable). */
let native: NativeMmap | null | undefined;

function sender(): NativeMmap | null {
  if (native === undefined) native = optionalNativeMmap();
  return native;
}

/** Frames `message[offset, offset + length)` into the staging buffer; throws TransportError for a length outside 8..64 KiB. */
export function stageFrame(message: Uint8Array, offset: number, length: number): void {
  checkSendLength(length);
  // Byte stores, not Buffer#writeUInt32LE: that allocates 64 bytes per call on Node 20.
  staging[0] = length & 0xff;
  staging[1] = (length >>> 8) & 0xff;
  staging[2] = (length >>> 16) & 0xff;
  staging[3] = length >>> 24;
  staging.set(offset === 0 && length === message.length ? message : message.subarray(offset, offset + length), LENGTH_PREFIX_BYTES);
  staged = LENGTH_PREFIX_BYTES + length;
}

/** Bytes of the staged frame, prefix included. */
export function stagedLength(): number {
  return staged;
}

/** How a frame left `SocketFrameOutput.writeStaged`. */
export const enum FrameWriteKind {
  /** The kernel took all of it from the staging buffer: nothing allocated. */
  DIRECT = 0,
  /** Kept in order behind queued bytes (overflow buffer or, without the addon, the stream). */
  QUEUED = 1,
}

/** The write side of one connection. Stage a frame once, write it to one or many outputs. */
export class SocketFrameOutput {
  /** Frames the kernel could not take yet, in order; allocated on the first backpressure. */
  private overflow: Buffer | null = null;
  private overflowBytes = 0;
  /** A copy is with the stream; the overflow is retried when the stream reports it written. */
  private flushing = false;
  private ended = false;

  constructor(private readonly socket: Socket) {}

  /** Accepted bytes not yet in the kernel (the slow-reader bound counts these). */
  get queuedBytes(): number {
    return this.overflowBytes + this.socket.writableLength;
  }

  /** Writes the staged frame (see the file comment for the order invariant). */
  writeStaged(): FrameWriteKind {
    const total = staged;
    const s = this.socket;
    if (this.ended) return FrameWriteKind.QUEUED; // as socket.write after end: dropped
    if (this.flushing || this.overflowBytes > 0) {
      this.append(staging, 0, total);
      return FrameWriteKind.QUEUED;
    }
    const addon = sender();
    const fd = addon === null || s.writableLength > 0 || s.connecting ? -1 : descriptorOf(s);
    if (addon === null || fd < 0) {
      s.write(Buffer.from(staging.subarray(0, total)));
      return FrameWriteKind.QUEUED;
    }
    const n = addon.send(fd, staging, 0, total);
    if (n === total) return FrameWriteKind.DIRECT;
    // A full socket buffer (n = -EAGAIN or a part) or an error the stream will report when it
    // writes: the rest waits in order.
    this.append(staging, n > 0 ? n : 0, total);
    this.flush();
    return FrameWriteKind.QUEUED;
  }

  /**
   * Appends the staged frame behind whatever this output holds, without sending: a server
   * batching one tick's or one read's messages per connection calls `sendHeld` once afterwards
   * (16 announces to a connection become one send(2), not 16).
   */
  holdStaged(): void {
    if (this.ended) return;
    this.append(staging, 0, staged);
  }

  /**
   * Sends what `holdStaged` gathered: straight from the overflow buffer when the stream has
   * nothing queued (no allocation when the kernel takes it all), else behind the stream's queue.
   * Returns whether the kernel took everything at once.
   */
  sendHeld(): boolean {
    const held = this.overflowBytes;
    if (held === 0 || this.flushing || this.ended) return held === 0;
    const s = this.socket;
    const addon = sender();
    const fd = addon === null || s.writableLength > 0 || s.connecting ? -1 : descriptorOf(s);
    if (addon !== null && fd >= 0) {
      const n = addon.send(fd, this.overflow as Buffer, 0, held);
      if (n === held) {
        this.overflowBytes = 0;
        return true;
      }
      if (n > 0) {
        (this.overflow as Buffer).copyWithin(0, n, held);
        this.overflowBytes = held - n;
      }
    }
    this.flush();
    return false;
  }

  /** Hands whatever is still held to the stream (before `socket.end()`: nothing is lost). */
  end(): void {
    if (this.ended) return;
    if (this.overflowBytes > 0) this.socket.write(Buffer.from((this.overflow as Buffer).subarray(0, this.overflowBytes)));
    this.overflowBytes = 0;
    this.ended = true;
    this.socket.end();
  }

  private append(from: Uint8Array, start: number, end: number): void {
    const len = end - start;
    let buf = this.overflow;
    if (buf === null || buf.length < this.overflowBytes + len) {
      // Small to start: every connection of a 1,000-client driver gets one on its first batch
      // (a tick's announces are a few hundred bytes each); it doubles when a batch needs more.
      let size = buf === null ? 4096 : buf.length;
      while (size < this.overflowBytes + len) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      if (buf !== null) buf.copy(grown, 0, 0, this.overflowBytes);
      this.overflow = buf = grown;
    }
    buf.set(from.subarray(start, end), this.overflowBytes);
    this.overflowBytes += len;
  }

  /** One copy of the overflow to the stream; when it is written, whatever piled up meanwhile goes the same way. */
  private flush(): void {
    if (this.overflowBytes === 0 || this.ended) {
      this.flushing = false;
      return;
    }
    this.flushing = true;
    const chunk = Buffer.from((this.overflow as Buffer).subarray(0, this.overflowBytes));
    this.overflowBytes = 0;
    this.socket.write(chunk, this.afterFlush);
  }

  private readonly afterFlush = (err?: Error | null): void => {
    if (err) {
      // The stream reports the error and closes; nothing more is written.
      this.overflowBytes = 0;
      this.flushing = false;
      return;
    }
    this.flush();
  };
}

/**
 * The socket's file descriptor, or -1. Node exposes it on the handle of a connected pipe
 * (`_handle.fd`, Unix only); read on every write because the handle goes away on close.
 */
function descriptorOf(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}
