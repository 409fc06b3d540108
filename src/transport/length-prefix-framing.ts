/**
 * Framing of the stream-socket control plane (docs/TRANSPORT.md §2): every message is a 4-byte
 * little-endian length N followed by N bytes holding exactly one SBE message (8-byte header +
 * body), with 8 ≤ N ≤ 64 KiB.
 *
 * The decoder is incremental: a read may hold many messages, part of one, or both. Whole messages
 * inside a chunk are handed out as views of that chunk (no copy); only a message split across
 * reads is assembled, in one growable buffer that is reused, so steady-state decoding allocates
 * nothing (no Buffer.concat per chunk).
 */
import { TransportError, TransportErrorCode } from './transport-error.js';

export const LENGTH_PREFIX_BYTES = 4;
/** One SBE message header: nothing shorter can be a message. */
export const MIN_FRAME_BYTES = 8;
/** The driver's largest message fits with room to spare (its outbox encodes into 64 KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** `buffer[offset, offset + length)` is one message, valid only until the handler returns. */
export type FrameSink = (buffer: Uint8Array, offset: number, length: number) => void;

export class LengthPrefixDecoder {
  /** Assembly buffer for a message (or length prefix) that spans reads; grows, never shrinks. */
  private partial = new Uint8Array(256);
  /** Bytes held in `partial`. */
  private held = 0;
  /** Length of the message being assembled, or -1 while its prefix is incomplete. */
  private expected = -1;
  private failed: TransportError | null = null;

  /** Messages handed out so far. */
  frames = 0;

  /**
   * Feeds one chunk; calls `sink` for every complete message, in order. Throws TransportError on
   * a bad length prefix, and again on every later call: after a framing error the stream has no
   * recoverable message boundary, so the connection must be closed.
   */
  push(chunk: Uint8Array, sink: FrameSink): void {
    if (this.failed !== null) throw this.failed;
    let pos = 0;
    const end = chunk.length;
    if (this.held > 0) {
      pos = this.continuePartial(chunk, sink);
      if (pos < 0) return; // still incomplete; chunk consumed
    }
    // Fast path: whole messages straight out of the chunk.
    while (end - pos >= LENGTH_PREFIX_BYTES) {
      const n = readU32LE(chunk, pos);
      this.check(n);
      if (end - pos - LENGTH_PREFIX_BYTES < n) break;
      this.frames++;
      sink(chunk, pos + LENGTH_PREFIX_BYTES, n);
      pos += LENGTH_PREFIX_BYTES + n;
    }
    if (pos < end) this.hold(chunk, pos, end);
  }

  /** Bytes of an incomplete message held between reads (tests, status). */
  get pendingBytes(): number {
    return this.held;
  }

  /** Completes the held message from the chunk's start; returns where the chunk continues, or -1. */
  private continuePartial(chunk: Uint8Array, sink: FrameSink): number {
    let pos = 0;
    if (this.expected < 0) {
      const need = LENGTH_PREFIX_BYTES - this.held;
      const take = Math.min(need, chunk.length);
      this.partial.set(chunk.subarray(0, take), this.held);
      this.held += take;
      pos = take;
      if (this.held < LENGTH_PREFIX_BYTES) return -1;
      const n = readU32LE(this.partial, 0);
      this.check(n);
      this.expected = n;
      this.ensureCapacity(LENGTH_PREFIX_BYTES + n);
    }
    const total = LENGTH_PREFIX_BYTES + this.expected;
    const take = Math.min(total - this.held, chunk.length - pos);
    this.partial.set(chunk.subarray(pos, pos + take), this.held);
    this.held += take;
    pos += take;
    if (this.held < total) return -1;
    const n = this.expected;
    this.held = 0;
    this.expected = -1;
    this.frames++;
    sink(this.partial, LENGTH_PREFIX_BYTES, n);
    return pos;
  }

  /** Keeps the tail of a chunk (a prefix, or a message not yet complete) for the next read. */
  private hold(chunk: Uint8Array, from: number, end: number): void {
    const len = end - from;
    if (len >= LENGTH_PREFIX_BYTES) {
      // The prefix was checked by the loop; reserve room for the whole message once.
      this.expected = readU32LE(chunk, from);
      this.ensureCapacity(LENGTH_PREFIX_BYTES + this.expected);
    } else {
      this.expected = -1;
    }
    this.partial.set(chunk.subarray(from, end), 0);
    this.held = len;
  }

  private ensureCapacity(bytes: number): void {
    if (this.partial.length >= bytes) return;
    let size = this.partial.length;
    while (size < bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.partial.subarray(0, this.held), 0);
    this.partial = grown;
  }

  private check(n: number): void {
    if (n > MAX_FRAME_BYTES) {
      this.failed = new TransportError(
        TransportErrorCode.FRAME_TOO_LARGE,
        `frame length ${n} exceeds the ${MAX_FRAME_BYTES}-byte limit of the control plane`,
      );
      throw this.failed;
    }
    if (n < MIN_FRAME_BYTES) {
      this.failed = new TransportError(
        TransportErrorCode.FRAME_TOO_SMALL,
        `frame length ${n} is shorter than an ${MIN_FRAME_BYTES}-byte SBE message header`,
      );
      throw this.failed;
    }
  }
}

function readU32LE(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) + (b[at + 3] as number) * 0x1000000;
}

/**
 * One framed message in a new Buffer (length prefix + bytes), ready for socket.write. Refuses
 * what the peer would reject, so a local bug fails here with a clear message rather than as a
 * closed connection.
 */
export function encodeFrame(message: Uint8Array, offset = 0, length = message.length - offset): Buffer {
  checkSendLength(length);
  const out = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + length);
  out.writeUInt32LE(length, 0);
  out.set(message.subarray(offset, offset + length), LENGTH_PREFIX_BYTES);
  return out;
}

/** Throws unless a `length`-byte message may be sent (8..64 KiB): every sender checks before framing. */
export function checkSendLength(length: number): void {
  if (length < MIN_FRAME_BYTES || length > MAX_FRAME_BYTES) {
    throw new TransportError(
      length < MIN_FRAME_BYTES ? TransportErrorCode.FRAME_TOO_SMALL : TransportErrorCode.FRAME_TOO_LARGE,
      `cannot send a ${length}-byte message: the control plane carries ${MIN_FRAME_BYTES}..${MAX_FRAME_BYTES} bytes per message`,
    );
  }
}
