/**
 * Strict parsers for single configuration values. Each takes the raw value and its form and
 * returns the typed value or throws a `ValueProblem` with the bare rule; the caller adds the key
 * and source (CONFIG.md §7 V14: non-numeric numeric fields are load errors).
 *
 * Forms: `text` — an env var or a string override, parsed per CONFIG.md §1 (decimal integers;
 * booleans true/false/1/0/yes/no, anything else rejected); `toml` — a smol-toml value parsed with
 * `integersAsBigInt: true`, so integers are bigints and a JS number is a TOML float; `js` — a
 * programmatic override value (numbers, bigints, booleans, strings, arrays).
 */
import { ValueProblem } from './config-error.js';

export type ValueForm = 'text' | 'toml' | 'js';

export const U16_MAX = 0xffff;
export const U32_MAX = 0xffff_ffff;
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

const DECIMAL = /^[0-9]+$/;

/** A non-negative integer as a bigint, or a ValueProblem naming `expected`. */
function integerOf(value: unknown, form: ValueForm, expected: string): bigint {
  if (form === 'text') {
    if (typeof value === 'string' && DECIMAL.test(value)) return BigInt(value);
    throw new ValueProblem(`must be ${expected} in decimal digits`);
  }
  if (typeof value === 'bigint') return value;
  // A JS number from TOML is a float (integers arrive as bigints): `1000.0` is not an integer key.
  if (typeof value === 'number' && form === 'js' && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValueProblem(`must be ${expected}`);
}

function rangeText(min: bigint, max: bigint): string {
  return min === 1n ? `a positive integer ≤ ${max}` : `an integer in ${min}..${max}`;
}

/** An unsigned integer in `min..max` (max ≤ 2^53). */
export function parseUint(value: unknown, form: ValueForm, max: number, min = 0): number {
  const expected = rangeText(BigInt(min), BigInt(max));
  const n = integerOf(value, form, expected);
  if (n < BigInt(min) || n > BigInt(max)) throw new ValueProblem(`must be ${expected}`);
  return Number(n);
}

export function parseU64(value: unknown, form: ValueForm): bigint {
  const expected = rangeText(0n, U64_MAX);
  const n = integerOf(value, form, expected);
  if (n < 0n || n > U64_MAX) throw new ValueProblem(`must be ${expected}`);
  return n;
}

const TRUE_TEXT = /^(?:true|1|yes)$/i;
const FALSE_TEXT = /^(?:false|0|no)$/i;

/**
 * Deviation from the RI (docs/driver/CONFIG.md): the RI maps any text but "true" to false, so
 * `POLICIES_PREFAULT_SHM=on` silently disables a feature; here unrecognised text is an error.
 */
export function parseBool(value: unknown, form: ValueForm): boolean {
  if (typeof value === 'boolean') return value;
  if (form === 'text' && typeof value === 'string') {
    if (TRUE_TEXT.test(value)) return true;
    if (FALSE_TEXT.test(value)) return false;
    throw new ValueProblem('must be a boolean: true/false, 1/0 or yes/no (case-insensitive)');
  }
  throw new ValueProblem('must be a boolean');
}

export function parseString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new ValueProblem('must be a string');
}

export function isPowerOfTwo(n: number): boolean {
  // Callers cap n at 2^31, where `n & (n - 1)` is still exact in int32 arithmetic.
  return n >= 1 && n <= 2 ** 31 && (n & (n - 1)) === 0;
}

/** A TOML table (smol-toml builds tables with a null prototype; dates and arrays are not tables). */
export function isTable(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
