/**
 * The window of a caller's buffer that a flyweight may touch. Flyweights keep the `DataView` of
 * the last buffer they wrapped, so re-wrapping the same buffer allocates nothing.
 */
import { SbeDecodeError, SbeDecodeErrorCode, SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';

/** A little-endian view over exactly the bytes of `buffer`. */
export function viewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Absolute end of `[offset, offset + length)` after checking it lies inside `buffer`. */
export function decodeWindowEnd(buffer: Uint8Array, offset: number, length: number, who: string): number {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 ||
      offset + length > buffer.byteLength) {
    throw new SbeDecodeError(SbeDecodeErrorCode.BAD_ARGUMENT,
      `${who}: window offset ${offset} length ${length} is outside the ${buffer.byteLength}-byte buffer; ` +
      'pass an offset and length inside the buffer', offset);
  }
  return offset + length;
}

/** Absolute end of `[offset, offset + capacity)` after checking it lies inside `buffer`. */
export function encodeWindowEnd(buffer: Uint8Array, offset: number, capacity: number, who: string): number {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(capacity) || offset < 0 || capacity < 0 ||
      offset + capacity > buffer.byteLength) {
    throw new SbeEncodeError(SbeEncodeErrorCode.BAD_ARGUMENT,
      `${who}: window offset ${offset} capacity ${capacity} is outside the ${buffer.byteLength}-byte buffer; ` +
      'pass an offset and capacity inside the buffer');
  }
  return offset + capacity;
}

/** Throws unless `need` bytes fit between `pos` and `end` (decoding). */
export function requireBytes(pos: number, need: number, end: number, what: string): void {
  if (pos + need > end) {
    throw new SbeDecodeError(SbeDecodeErrorCode.TRUNCATED,
      `${what} needs ${need} bytes at offset ${pos} but the message ends at ${end}; ` +
      'the message is truncated or corrupt, drop it', pos);
  }
}

/** Throws unless `need` bytes fit between `pos` and `end` (encoding). */
export function requireCapacity(pos: number, need: number, end: number, what: string): void {
  if (pos + need > end) {
    throw new SbeEncodeError(SbeEncodeErrorCode.BUFFER_TOO_SMALL,
      `${what} needs ${need} bytes at offset ${pos} but the buffer window ends at ${end}; ` +
      'encode into a larger buffer');
  }
}
