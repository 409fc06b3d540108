/**
 * Tensor stride check (SHM_LAYOUT.md §7.3, the RI algorithm) and the progress-field check (§7.4).
 * Shared by the writer (which refuses to commit a tensor consumers would drop, and writes the
 * effective strides, as the §3.3 example does) and the reader (§7.2 rules 5 and 6).
 */
import { MajorOrder, ProgressUnit } from '../sbe/index.js';

/** Strides are i32 on the wire; an inferred stride beyond this cannot be represented. */
const MAX_I32 = 0x7fffffff;

/**
 * Fills `out[0..ndims)` with the effective byte strides of a tensor (§7.3): a 0 stride is
 * inferred contiguous from the inner dimension, a given stride must be at least that. Returns
 * false if the tensor is invalid: a negative dim or stride, a stride too small (overlap), an
 * unknown major order, or an inferred stride beyond i32 (not in the spec's text; such a tensor
 * exceeds any pool). `dims`/`strides` are read for `0..ndims-1` only.
 */
export function effectiveStrides(
  majorOrder: number,
  elementSize: number,
  ndims: number,
  dims: ArrayLike<number>,
  strides: ArrayLike<number>,
  out: Float64Array,
): boolean {
  for (let d = 0; d < ndims; d++) {
    if ((dims[d] as number) < 0 || (strides[d] as number) < 0) return false;
  }
  // ROW: innermost d = n−1, walking d = n−2 … 0; COLUMN: the mirror image, innermost 0, walking 1 … n−1.
  let d: number;
  let step: number;
  if (majorOrder === MajorOrder.ROW) {
    d = ndims - 1;
    step = -1;
  } else if (majorOrder === MajorOrder.COLUMN) {
    d = 0;
    step = 1;
  } else {
    return false;
  }
  let s = strides[d] as number;
  if (s === 0) s = elementSize;
  else if (s < elementSize) return false;
  out[d] = s;
  for (let k = 1; k < ndims; k++) {
    const prev = d;
    d += step;
    const inner = dims[prev] as number;
    const required = (out[prev] as number) * (inner > 1 ? inner : 1);
    let sd = strides[d] as number;
    if (sd === 0) sd = required;
    else if (sd < required) return false;
    if (sd > MAX_I32) return false;
    out[d] = sd;
  }
  return true;
}

/**
 * The progressStrideBytes a tensor must carry for `unit` (§7.4): effective `strides[0]` for ROWS
 * (ndims ≥ 1), `strides[1]` for COLUMNS (ndims ≥ 2, RI), 0 for NONE; -1 when the unit is unknown
 * or impossible for this tensor.
 */
export function expectedProgressStride(unit: number, ndims: number, effective: Float64Array): number {
  switch (unit) {
    case ProgressUnit.NONE:
      return 0;
    case ProgressUnit.ROWS:
      return ndims >= 1 ? (effective[0] as number) : -1;
    case ProgressUnit.COLUMNS:
      return ndims >= 2 ? (effective[1] as number) : -1;
    default:
      return -1;
  }
}

/** §7.2 rule 6 / §7.4: NONE passes; ROWS/COLUMNS need a non-zero expected stride equal to the declared one. */
export function progressFieldsValid(unit: number, declared: number, ndims: number, effective: Float64Array): boolean {
  if (unit === ProgressUnit.NONE) return true;
  const expected = expectedProgressStride(unit, ndims, effective);
  return expected > 0 && expected === declared;
}
