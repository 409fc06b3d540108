/**
 * The frame a FrameReader returns: a flyweight over the reader's state, re-pointed by every read.
 * Its typed arrays are zero-copy views of shared memory that the producer may overwrite at any
 * time: use them, then call `stillValid()`; if it returns false the frame was overwritten while
 * in use and whatever was computed from it must be discarded (SHM_LAYOUT.md §5.3, "RI hands out a
 * zero-copy view of the payload after the second load").
 */
import type { Dtype, MajorOrder } from '../sbe/index.js';
import { dtypeToName, type DtypeName, type FrameData } from './dtypes.js';
import { MAX_DIMS } from './ring-geometry.js';
import { wordEquals, type AtomicWordMode } from './seq-commit.js';

export interface Frame {
  /** Logical sequence (`seq_commit >> 1`, FrameDescriptor.seq). */
  readonly seq: number;
  /** The epoch of the mapping the frame was read from. */
  readonly epoch: bigint;
  readonly dtype: Dtype;
  readonly dtypeName: DtypeName;
  readonly majorOrder: MajorOrder;
  readonly ndims: number;
  /** dims[0..ndims): a reused Int32Array, overwritten by the next read — copy it to keep it. */
  readonly shape: Int32Array;
  /** Effective byte strides (§7.3, zeros inferred): a reused Float64Array of length ndims. */
  readonly strides: Float64Array;
  /**
   * The payload as a typed array of the dtype (Uint8Array for UINT8/BOOLEAN/BYTES/BIT, Int8Array,
   * (Big)(U)Int16/32/64Array, Float32Array, Float64Array), over `floor(valuesLenBytes / elementSize)`
   * elements at the start of the payload slot. Zero-copy: valid until overwritten (`stillValid()`).
   */
  readonly data: FrameData;
  /** The payload's `valuesLenBytes` bytes (zero-copy). */
  readonly bytes: Uint8Array;
  readonly valuesLenBytes: number;
  readonly poolId: number;
  /** Header/payload slot index (`seq & (nslots − 1)`). */
  readonly slot: number;
  readonly metaVersion: number;
  /** SlotHeader.timestampNs (capture time); makes a bigint, so it allocates. */
  timestampNs(): bigint;
  /** Re-loads seq_commit: true while the slot still holds this committed frame. */
  stillValid(): boolean;
}

const EMPTY = new Uint8Array(0);

/** The reader's one Frame; fields are written by FrameReader only. */
export class FrameState implements Frame {
  seq = 0;
  epoch: bigint;
  dtype: Dtype = 1;
  dtypeName: DtypeName = 'UINT8';
  majorOrder: MajorOrder = 1;
  ndims = 1;
  shape: Int32Array;
  strides: Float64Array;
  data: FrameData = EMPTY;
  bytes: Uint8Array = EMPTY;
  valuesLenBytes = 0;
  poolId = 0;
  slot = 0;
  metaVersion = 0;
  /** Raw halves of SlotHeader.timestampNs, copied between the two seq_commit loads. */
  timestampLo = 0;
  timestampHi = 0;
  /** Where and what to re-check in stillValid(). */
  lo32 = 0;
  expectedLo = 0;
  expectedHi = 0;
  expectedWord = 0n;

  /** Storage for dims and effective strides; `shape`/`strides` are its cached prefixes. */
  readonly shapeStore = new Int32Array(MAX_DIMS);
  readonly strideStore = new Float64Array(MAX_DIMS);
  private readonly shapeViews: Int32Array[] = [];
  private readonly strideViews: Float64Array[] = [];

  constructor(
    epoch: bigint,
    private readonly i32: Int32Array,
    private readonly words: BigInt64Array,
    private readonly mode: AtomicWordMode,
  ) {
    this.epoch = epoch;
    for (let n = 0; n <= MAX_DIMS; n++) {
      this.shapeViews.push(this.shapeStore.subarray(0, n));
      this.strideViews.push(this.strideStore.subarray(0, n));
    }
    this.shape = this.shapeViews[1] as Int32Array;
    this.strides = this.strideViews[1] as Float64Array;
  }

  /** Points `shape`/`strides` at the first `ndims` entries of the stores (no allocation). */
  setNdims(ndims: number): void {
    this.ndims = ndims;
    this.shape = this.shapeViews[ndims] as Int32Array;
    this.strides = this.strideViews[ndims] as Float64Array;
  }

  setDtype(dtype: Dtype): void {
    this.dtype = dtype;
    this.dtypeName = dtypeToName(dtype) ?? 'UINT8';
  }

  timestampNs(): bigint {
    return (BigInt(this.timestampHi >>> 0) << 32n) | BigInt(this.timestampLo >>> 0);
  }

  stillValid(): boolean {
    if (this.mode === 'split32') return wordEquals(this.i32, this.lo32, this.expectedLo, this.expectedHi);
    return Atomics.load(this.words, this.lo32 >> 1) === this.expectedWord;
  }
}
