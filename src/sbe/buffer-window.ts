/**
 * The window of a caller's buffer that a flyweight may touch. Flyweights keep the `DataView` of
 * the last buffer they wrapped, so re-wrapping the same buffer allocates nothing.
 */
import { SbeDecodeError, SbeDecodeErrorCode, SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';

/**
 * A little-endian view over exactly the bytes of `buffer`. (Hot paths use `buffer.length`, never
 * `byteLength`/`byteOffset`: Node 20's V8 does not inline those typed-array getters, ~25 ns each.)
 */
export function viewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Absolute end of `[offset, offset + length)` after checking it lies inside `buffer` (decoding). */
export function decodeWindowEnd(buffer: Uint8Array, offset: number, length: number, who: string): number {
  return windowEnd(buffer, offset, length, who, false);
}

/** Absolute end of `[offset, offset + capacity)` after checking it lies inside `buffer` (encoding). */
export function encodeWindowEnd(buffer: Uint8Array, offset: number, capacity: number, who: string): number {
  return windowEnd(buffer, offset, capacity, who, true);
}

function windowEnd(buffer: Uint8Array, offset: number, length: number, who: string, encoding: boolean): number {
  const end = offset + length;
  if (offset >= 0 && length >= 0 && end <= buffer.length && Number.isSafeInteger(offset) && Number.isSafeInteger(end)) {
    return end;
  }
  return badWindow(buffer, offset, length, who, encoding);
}

function badWindow(buffer: Uint8Array, offset: number, length: number, who: string, encoding: boolean): never {
  const what = encoding ? 'capacity' : 'length';
  const message = `${who}: window offset ${offset} ${what} ${length} is outside the ${buffer.length}-byte buffer; ` +
    `pass an offset and ${what} inside the buffer`;
  if (encoding) throw new SbeEncodeError(SbeEncodeErrorCode.BAD_ARGUMENT, message);
  throw new SbeDecodeError(SbeDecodeErrorCode.BAD_ARGUMENT, message, offset);
}

/** Throws unless `need` bytes fit between `pos` and `end` (decoding). */
export function requireBytes(pos: number, need: number, end: number, what: string): void {
  if (pos + need > end) truncated(pos, need, end, what);
}

/** The cold path of {@link requireBytes}, kept apart so the check itself inlines. */
export function truncated(pos: number, need: number, end: number, what: string): never {
  throw new SbeDecodeError(SbeDecodeErrorCode.TRUNCATED,
    `${what} needs ${need} bytes at offset ${pos} but the message ends at ${end}; ` +
    'the message is truncated or corrupt, drop it', pos);
}

/** Throws unless `need` bytes fit between `pos` and `end` (encoding). */
export function requireCapacity(pos: number, need: number, end: number, what: string): void {
  if (pos + need > end) tooSmall(pos, need, end, what);
}

function tooSmall(pos: number, need: number, end: number, what: string): never {
  throw new SbeEncodeError(SbeEncodeErrorCode.BUFFER_TOO_SMALL,
    `${what} needs ${need} bytes at offset ${pos} but the buffer window ends at ${end}; encode into a larger buffer`);
}
