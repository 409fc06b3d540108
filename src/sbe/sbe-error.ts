/**
 * Typed errors of the SBE codecs. Every failure a decoder or encoder can raise is one of these
 * two classes with a stable `code`; nothing else escapes (no `RangeError` from `DataView`).
 * Codes are listed in docs/sbe/CODECS.md and never change meaning.
 */
import { TensorpoolError } from '../errors.js';

/** Stable codes of {@link SbeDecodeError}. */
export const SbeDecodeErrorCode = {
  /** The buffer ends before the header, root block, group or var-data it must contain. */
  TRUNCATED: 'TP_ERR_SBE_TRUNCATED',
  /** Header `schemaId` is not the schema of the decoder used (PROTOCOL.md §1.6 rule 2). */
  SCHEMA_MISMATCH: 'TP_ERR_SBE_SCHEMA_MISMATCH',
  /** Header `templateId` is not the message of the decoder used (§1.6 rule 2). */
  TEMPLATE_MISMATCH: 'TP_ERR_SBE_TEMPLATE_MISMATCH',
  /** Header `version` is newer than the schema version this codec implements (§1.6 rule 9). */
  UNSUPPORTED_VERSION: 'TP_ERR_SBE_UNSUPPORTED_VERSION',
  /** Sender blockLength (root or group entry) too short to hold the required fields (§1.6 rule 6). */
  BLOCK_LENGTH_TOO_SHORT: 'TP_ERR_SBE_BLOCK_LENGTH_TOO_SHORT',
  /** A var-data length exceeds the 2^30 maximum (§1.4). */
  VAR_DATA_TOO_LONG: 'TP_ERR_SBE_VAR_DATA_TOO_LONG',
  /** A 64-bit value was asked for as a `number` but is not a safe integer; use the bigint accessor. */
  UNSAFE_INTEGER: 'TP_ERR_SBE_UNSAFE_INTEGER',
  /** Wrap arguments or an accessor index outside the buffer / array (a caller bug). */
  BAD_ARGUMENT: 'TP_ERR_SBE_BAD_ARGUMENT',
  /** A group entry was read while none is current (call `next()` first, while `hasNext()`). */
  NO_CURRENT_ENTRY: 'TP_ERR_SBE_NO_CURRENT_ENTRY',
} as const;
export type SbeDecodeErrorCode = (typeof SbeDecodeErrorCode)[keyof typeof SbeDecodeErrorCode];

/** Stable codes of {@link SbeEncodeError}. */
export const SbeEncodeErrorCode = {
  /** The destination buffer is too small for what is being written. */
  BUFFER_TOO_SMALL: 'TP_ERR_SBE_BUFFER_TOO_SMALL',
  /** A value does not fit the field's type, or equals the field's null sentinel (pass `null`). */
  VALUE_OUT_OF_RANGE: 'TP_ERR_SBE_VALUE_OUT_OF_RANGE',
  /** A varAscii value holds a character above 0x7F. */
  NOT_ASCII: 'TP_ERR_SBE_NOT_ASCII',
  /** A var-data value is longer than 2^30 bytes (§1.4). */
  VAR_DATA_TOO_LONG: 'TP_ERR_SBE_VAR_DATA_TOO_LONG',
  /** A group count above 65534 (65535 is the u16 null, §1.3). */
  GROUP_TOO_LARGE: 'TP_ERR_SBE_GROUP_TOO_LARGE',
  /** Groups / var-data written out of schema order, or a group left with fewer entries than declared. */
  ENCODE_ORDER: 'TP_ERR_SBE_ENCODE_ORDER',
  /** `finish()` (or the next group entry) found a required field that was never set. */
  REQUIRED_FIELD_MISSING: 'TP_ERR_SBE_REQUIRED_FIELD_MISSING',
  /** Wrap arguments or an array index outside the buffer / array (a caller bug). */
  BAD_ARGUMENT: 'TP_ERR_SBE_BAD_ARGUMENT',
} as const;
export type SbeEncodeErrorCode = (typeof SbeEncodeErrorCode)[keyof typeof SbeEncodeErrorCode];

/**
 * The bytes given to a decoder are not a valid message of that kind. `offset` is the absolute
 * buffer offset where the problem was found. The right reaction is to drop the message.
 */
export class SbeDecodeError extends TensorpoolError {
  declare readonly code: SbeDecodeErrorCode;
  readonly offset: number;

  constructor(code: SbeDecodeErrorCode, message: string, offset: number) {
    super(code, message);
    this.offset = offset;
  }
}

/** An encoder was asked to write something it cannot write correctly; nothing valid was produced. */
export class SbeEncodeError extends TensorpoolError {
  declare readonly code: SbeEncodeErrorCode;

  constructor(code: SbeEncodeErrorCode, message: string) {
    super(code, message);
  }
}

/** Groups / var-data written out of schema order (they are sequential on the wire, §1.1). */
export function encodeOrderError(what: string, detail: string): SbeEncodeError {
  return new SbeEncodeError(SbeEncodeErrorCode.ENCODE_ORDER,
    `${what}: ${detail}; write groups and var-data once each, in schema order (skipped ones are written empty)`);
}

/** An array index outside its range when reading (a caller bug). */
export function checkReadIndex(index: number, length: number, what: string): number {
  if ((index >>> 0) !== index || index >= length) badIndex(index, length, what, false);
  return index;
}

/** An array index outside its range when writing (a caller bug). */
export function checkWriteIndex(index: number, length: number, what: string): number {
  if ((index >>> 0) !== index || index >= length) badIndex(index, length, what, true);
  return index;
}

function badIndex(index: number, length: number, what: string, writing: boolean): never {
  const message = `${what}: index ${index} is outside 0..${length - 1}; pass an index inside the array`;
  if (writing) throw new SbeEncodeError(SbeEncodeErrorCode.BAD_ARGUMENT, message);
  throw new SbeDecodeError(SbeDecodeErrorCode.BAD_ARGUMENT, message, -1);
}

/** A group entry accessor called before `next()`. */
export function noCurrentEntry(what: string): SbeDecodeError {
  return new SbeDecodeError(SbeDecodeErrorCode.NO_CURRENT_ENTRY,
    `${what}: no current group entry; call next() (while hasNext()) before reading entry fields`, -1);
}

/**
 * Names the first required field whose bit is missing from `present` (`names[i]` ↔ bit i).
 * Encoders track required fields in a bit mask so no unset field goes out as stale buffer bytes.
 */
export function requiredFieldMissing(what: string, names: readonly string[], present: number): SbeEncodeError {
  let missing = '';
  for (let i = 0; i < names.length; i++) {
    if ((present & (1 << i)) === 0) missing += (missing === '' ? '' : ', ') + (names[i] ?? '');
  }
  return new SbeEncodeError(SbeEncodeErrorCode.REQUIRED_FIELD_MISSING,
    `${what}: required field(s) ${missing} not set; set every required field (optional ones default to null)`);
}
