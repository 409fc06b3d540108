/**
 * Var-data fields (`varAsciiEncoding` / `varDataEncoding`, PROTOCOL.md §1.4): a u32 length then
 * that many bytes; length 0 means absent; at most 2^30 bytes.
 */
import { requireBytes, requireCapacity, truncated } from './buffer-window.js';
import { SbeDecodeError, SbeDecodeErrorCode, SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';

/** Size of the u32 length prefix. */
export const VAR_DATA_LENGTH_SIZE = 4;
/** Largest var-data length the schemas allow (§1.4). */
export const VAR_DATA_MAX_LENGTH = 0x40000000;

/** Bounds-checks the var-data field at `pos` and returns the offset just past its bytes. */
export function varDataEnd(view: DataView, pos: number, end: number, what: string): number {
  if (pos + VAR_DATA_LENGTH_SIZE <= end) {
    const next = pos + VAR_DATA_LENGTH_SIZE + view.getUint32(pos, true);
    if (next <= end && next - pos <= VAR_DATA_LENGTH_SIZE + VAR_DATA_MAX_LENGTH) return next;
  }
  return badVarData(view, pos, end, what);
}

function badVarData(view: DataView, pos: number, end: number, what: string): never {
  requireBytes(pos, VAR_DATA_LENGTH_SIZE, end, what);
  const length = view.getUint32(pos, true);
  if (length > VAR_DATA_MAX_LENGTH) {
    throw new SbeDecodeError(SbeDecodeErrorCode.VAR_DATA_TOO_LONG,
      `${what}: length ${length} at offset ${pos} exceeds the 2^30 maximum; the message is corrupt, drop it`, pos);
  }
  return truncated(pos + VAR_DATA_LENGTH_SIZE, length, end, what);
}

const CHUNK = 4096;
/** V8's largest string (2^29 − 24 one-byte chars); var-data may be longer (2^30). */
const MAX_STRING_LENGTH = 0x1fffffe8;

function tooLongForString(start: number, length: number): never {
  throw new SbeDecodeError(SbeDecodeErrorCode.VAR_DATA_TOO_LONG,
    `var-data of ${length} bytes at offset ${start} is too long for a JavaScript string; read it as bytes`, start);
}

/**
 * The bytes `[start, start + length)` as a string, one char per byte (ISO-8859-1), so it is exact
 * for US-ASCII and lossless for anything else a peer sent. Allocates the string.
 */
export function bytesToString(buffer: Uint8Array, start: number, length: number): string {
  if (length > MAX_STRING_LENGTH) tooLongForString(start, length);
  if (length <= CHUNK) {
    return String.fromCharCode.apply(null, buffer.subarray(start, start + length) as unknown as number[]);
  }
  let s = '';
  for (let i = 0; i < length; i += CHUNK) {
    const n = Math.min(CHUNK, length - i);
    s += String.fromCharCode.apply(null, buffer.subarray(start + i, start + i + n) as unknown as number[]);
  }
  return s;
}

function tooLong(length: number, what: string): SbeEncodeError {
  return new SbeEncodeError(SbeEncodeErrorCode.VAR_DATA_TOO_LONG,
    `${what}: ${length} bytes exceed the 2^30 var-data maximum; send less`);
}

/** Writes length + bytes at `pos`; returns the offset just past them. */
export function writeVarBytes(buffer: Uint8Array, view: DataView, pos: number, end: number,
  value: Uint8Array, what: string): number {
  const length = value.length;
  if (length > VAR_DATA_MAX_LENGTH) throw tooLong(length, what);
  requireCapacity(pos, VAR_DATA_LENGTH_SIZE + length, end, what);
  buffer.set(value, pos + VAR_DATA_LENGTH_SIZE);
  view.setUint32(pos, length, true);
  return pos + VAR_DATA_LENGTH_SIZE + length;
}

function notAscii(c: number, i: number, what: string): never {
  throw new SbeEncodeError(SbeEncodeErrorCode.NOT_ASCII,
    `${what}: character U+${c.toString(16).padStart(4, '0')} at index ${i} is not US-ASCII; ` +
    'varAscii fields carry ASCII only (escape or percent-encode it)');
}

/** Writes length + US-ASCII bytes of `value` at `pos`; refuses chars above 0x7F. */
export function writeVarAscii(buffer: Uint8Array, view: DataView, pos: number, end: number,
  value: string, what: string): number {
  const length = value.length;
  if (length > VAR_DATA_MAX_LENGTH) throw tooLong(length, what);
  requireCapacity(pos, VAR_DATA_LENGTH_SIZE + length, end, what);
  const start = pos + VAR_DATA_LENGTH_SIZE;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) notAscii(c, i, what);
    buffer[start + i] = c;
  }
  view.setUint32(pos, length, true);
  return start + length;
}

/** Writes the length prefix and leaves `length` bytes for the caller; returns the offset past them. */
export function reserveVarBytes(view: DataView, pos: number, end: number, length: number, what: string): number {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SbeEncodeError(SbeEncodeErrorCode.BAD_ARGUMENT, `${what}: length ${length} is not a byte count`);
  }
  if (length > VAR_DATA_MAX_LENGTH) throw tooLong(length, what);
  requireCapacity(pos, VAR_DATA_LENGTH_SIZE + length, end, what);
  view.setUint32(pos, length, true);
  return pos + VAR_DATA_LENGTH_SIZE + length;
}
