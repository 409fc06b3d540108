/**
 * Encoder-side value checks: a value that does not fit its field, or that equals an optional
 * field's null sentinel, is refused instead of being silently truncated by `DataView`.
 */
import { SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';

function outOfRange(v: number | bigint, what: string, type: string): SbeEncodeError {
  return new SbeEncodeError(SbeEncodeErrorCode.VALUE_OUT_OF_RANGE,
    `${what}: ${String(v)} is not a valid ${type}; pass an integer in the field's range`);
}

export function checkU8(v: number, what: string): number {
  if ((v & 0xff) !== v) throw outOfRange(v, what, 'u8');
  return v;
}

export function checkU16(v: number, what: string): number {
  if ((v & 0xffff) !== v) throw outOfRange(v, what, 'u16');
  return v;
}

export function checkU32(v: number, what: string): number {
  if (v >>> 0 !== v) throw outOfRange(v, what, 'u32');
  return v;
}

export function checkI8(v: number, what: string): number {
  if ((v << 24) >> 24 !== v) throw outOfRange(v, what, 'i8');
  return v;
}

export function checkI16(v: number, what: string): number {
  if ((v << 16) >> 16 !== v) throw outOfRange(v, what, 'i16');
  return v;
}

export function checkI32(v: number, what: string): number {
  if ((v | 0) !== v) throw outOfRange(v, what, 'i32');
  return v;
}

// asUintN/asIntN(64, v) === v is the range test: cheaper in V8 than two bigint comparisons.
export function checkU64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v) throw outOfRange(v, what, 'u64 bigint');
  return v;
}

export function checkI64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) throw outOfRange(v, what, 'i64 bigint');
  return v;
}

/** Refuses the null sentinel as a present value of an optional field. */
export function nullAsValue(what: string): SbeEncodeError {
  return new SbeEncodeError(SbeEncodeErrorCode.VALUE_OUT_OF_RANGE,
    `${what}: the value equals the field's null sentinel; pass null to mean absent`);
}

/** Refuses a number that is not a defined constant of the field's enum. */
export function notEnumValue(v: number, what: string): never {
  throw new SbeEncodeError(SbeEncodeErrorCode.VALUE_OUT_OF_RANGE,
    `${what}: ${String(v)} is not a defined constant of the field's enum; pass one of its constants`);
}

/** Refuses more array elements than the fixed array holds; returns `length`. */
export function checkArrayLength(length: number, max: number, what: string): number {
  if (length > max) {
    throw new SbeEncodeError(SbeEncodeErrorCode.BAD_ARGUMENT,
      `${what}: ${length} values given but the array holds ${max}; pass at most ${max}`);
  }
  return length;
}
