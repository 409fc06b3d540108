/**
 * Dtype names, codes and element sizes (PROTOCOL.md §3.2), and the typed array that views a
 * payload of each dtype.
 */
import { Dtype, type Dtype as DtypeCode } from '../sbe/index.js';

/** Every defined dtype name except UNKNOWN (which no frame may carry). */
export type DtypeName = Exclude<keyof typeof Dtype, 'UNKNOWN'>;

/** The typed arrays `Frame.data` can be. */
export type FrameData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/**
 * Element size in bytes (PROTOCOL.md §3.2 "RI element sizes"): 1 for UINT8, INT8, BOOLEAN, BYTES,
 * BIT; 2 for (U)INT16; 4 for (U)INT32, FLOAT32; 8 for (U)INT64, FLOAT64. 0 for UNKNOWN and for any
 * value that is not a defined dtype (such a frame is invalid, §7.2 rule 3).
 */
export function dtypeElementSize(dtype: number): number {
  switch (dtype) {
    case 1:
    case 2:
    case 11:
    case 13:
    case 14:
      return 1;
    case 3:
    case 4:
      return 2;
    case 5:
    case 6:
    case 9:
      return 4;
    case 7:
    case 8:
    case 10:
      return 8;
    default:
      return 0;
  }
}

/** The name of a dtype code (not UNKNOWN), or undefined. Returns interned strings: no allocation. */
export function dtypeToName(dtype: number): DtypeName | undefined {
  switch (dtype) {
    case 1: return 'UINT8';
    case 2: return 'INT8';
    case 3: return 'UINT16';
    case 4: return 'INT16';
    case 5: return 'UINT32';
    case 6: return 'INT32';
    case 7: return 'UINT64';
    case 8: return 'INT64';
    case 9: return 'FLOAT32';
    case 10: return 'FLOAT64';
    case 11: return 'BOOLEAN';
    case 13: return 'BYTES';
    case 14: return 'BIT';
    default: return undefined;
  }
}

/**
 * The dtype code of a name, case-insensitive (`uint8`, `FLOAT32`); UNKNOWN and others → undefined.
 * Upper-case names are looked up without allocating (the per-frame path of `commit`).
 */
export function dtypeFromName(name: string): DtypeCode | undefined {
  switch (name) {
    case 'UINT8': return Dtype.UINT8;
    case 'INT8': return Dtype.INT8;
    case 'UINT16': return Dtype.UINT16;
    case 'INT16': return Dtype.INT16;
    case 'UINT32': return Dtype.UINT32;
    case 'INT32': return Dtype.INT32;
    case 'UINT64': return Dtype.UINT64;
    case 'INT64': return Dtype.INT64;
    case 'FLOAT32': return Dtype.FLOAT32;
    case 'FLOAT64': return Dtype.FLOAT64;
    case 'BOOLEAN': return Dtype.BOOLEAN;
    case 'BYTES': return Dtype.BYTES;
    case 'BIT': return Dtype.BIT;
    default: {
      const upper = name.toUpperCase();
      return upper === name ? undefined : dtypeFromName(upper);
    }
  }
}

/** Every dtype name, in code order (for help texts and tests). */
export const DTYPE_NAMES: readonly DtypeName[] = [
  'UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'UINT64', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'BYTES', 'BIT',
];

/** The dtype a typed array naturally holds (Uint8ClampedArray → UINT8; DataView → undefined). */
export function dtypeOfArray(array: ArrayBufferView): DtypeCode | undefined {
  if (array instanceof Uint8Array || array instanceof Uint8ClampedArray) return Dtype.UINT8;
  if (array instanceof Float32Array) return Dtype.FLOAT32;
  if (array instanceof Float64Array) return Dtype.FLOAT64;
  if (array instanceof Int8Array) return Dtype.INT8;
  if (array instanceof Uint16Array) return Dtype.UINT16;
  if (array instanceof Int16Array) return Dtype.INT16;
  if (array instanceof Uint32Array) return Dtype.UINT32;
  if (array instanceof Int32Array) return Dtype.INT32;
  if (array instanceof BigUint64Array) return Dtype.UINT64;
  if (array instanceof BigInt64Array) return Dtype.INT64;
  return undefined;
}

/**
 * A new typed array of `dtype` over `elements` elements at `byteOffset` of `buffer`. The caller
 * guarantees alignment (payload slots are 64-byte aligned, see docs/data/README.md). 1-byte dtypes
 * other than INT8 (BOOLEAN, BYTES, BIT) are Uint8Array.
 */
export function createDataArray(dtype: number, buffer: ArrayBufferLike, byteOffset: number, elements: number): FrameData {
  switch (dtype) {
    case 2: return new Int8Array(buffer, byteOffset, elements);
    case 3: return new Uint16Array(buffer, byteOffset, elements);
    case 4: return new Int16Array(buffer, byteOffset, elements);
    case 5: return new Uint32Array(buffer, byteOffset, elements);
    case 6: return new Int32Array(buffer, byteOffset, elements);
    case 7: return new BigUint64Array(buffer, byteOffset, elements);
    case 8: return new BigInt64Array(buffer, byteOffset, elements);
    case 9: return new Float32Array(buffer, byteOffset, elements);
    case 10: return new Float64Array(buffer, byteOffset, elements);
    default: return new Uint8Array(buffer, byteOffset, elements);
  }
}
