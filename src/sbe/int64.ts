/**
 * 64-bit fields as `number`, without allocating a bigint (V8 boxes every bigint a DataView
 * returns). Exact for safe integers only: reads throw `TP_ERR_SBE_UNSAFE_INTEGER` beyond ±(2^53−1),
 * writes refuse non-safe integers. Words are little-endian: low u32 at `pos`, high at `pos + 4`.
 */
import { SbeDecodeError, SbeDecodeErrorCode, SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';

export const TWO_32 = 4294967296;
/** Largest high word of a safe non-negative integer: (2^53 − 1) >>> 32. */
export const MAX_SAFE_HI = 0x1fffff;

/** Throws TP_ERR_SBE_UNSAFE_INTEGER; the cold path of generated u64 number getters (kept out of line). */
export function unsafeInteger(pos: number, what: string): never {
  throw unsafe(pos, what);
}

function unsafe(pos: number, what: string): SbeDecodeError {
  return new SbeDecodeError(SbeDecodeErrorCode.UNSAFE_INTEGER,
    `${what} at offset ${pos} does not fit a JavaScript number exactly (beyond 2^53-1); ` +
    'read it with the bigint accessor instead', pos);
}

export function readU64Number(view: DataView, pos: number, what: string): number {
  const hi = view.getUint32(pos + 4, true);
  if (hi > MAX_SAFE_HI) throw unsafe(pos, what);
  return hi * TWO_32 + view.getUint32(pos, true);
}

export function readI64Number(view: DataView, pos: number, what: string): number {
  const hi = view.getInt32(pos + 4, true);
  const lo = view.getUint32(pos, true);
  // hi in [-2^21, 2^21) keeps the sum exact; -2^53 itself (hi = -2^21, lo = 0) is not safe.
  if (hi > MAX_SAFE_HI || hi < -MAX_SAFE_HI - 1 || (hi === -MAX_SAFE_HI - 1 && lo === 0)) throw unsafe(pos, what);
  return hi * TWO_32 + lo;
}

/** An optional i64 as a number: null when the words equal the sentinel's (`nullLo`, `nullHi` unsigned). */
export function readI64NumberOrNull(view: DataView, pos: number, nullLo: number, nullHi: number,
  what: string): number | null {
  if (view.getUint32(pos, true) === nullLo && view.getUint32(pos + 4, true) === nullHi) return null;
  return readI64Number(view, pos, what);
}

function notSafe(v: number, what: string, signed: boolean): SbeEncodeError {
  return new SbeEncodeError(SbeEncodeErrorCode.VALUE_OUT_OF_RANGE,
    `${what}: ${String(v)} is not a ${signed ? '' : 'non-negative '}safe integer; ` +
    'pass a bigint to the bigint setter for values beyond 2^53-1');
}

export function writeU64Number(view: DataView, pos: number, v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw notSafe(v, what, false);
  view.setUint32(pos, v >>> 0, true);
  view.setUint32(pos + 4, Math.floor(v / TWO_32), true);
}

export function writeI64Number(view: DataView, pos: number, v: number, what: string): void {
  if (!Number.isSafeInteger(v)) throw notSafe(v, what, true);
  view.setUint32(pos, v >>> 0, true);
  view.setInt32(pos + 4, Math.floor(v / TWO_32), true);
}
