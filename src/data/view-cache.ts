/**
 * Typed-array views over the payload slots of one pool, cached per slot: a view is created the
 * first time a slot is seen with a given dtype and length and reused while they stay the same
 * (the steady state of a stream, whose frames all have one shape). So reads and claims allocate
 * nothing once every slot has been used once; a frame of a new size or dtype costs one view.
 */
import { createDataArray, type FrameData } from './dtypes.js';

export class SlotViews {
  private readonly byteViews: (Uint8Array | null)[];
  private readonly dataViews: (FrameData | null)[];
  private readonly dataDtype: Int16Array;
  private readonly dataLength: Int32Array;

  constructor(
    private readonly buffer: ArrayBufferLike,
    /** Byte offset of payload slot 0 in `buffer` (region start + 64). */
    private readonly slotsByteOffset: number,
    private readonly strideBytes: number,
    nslots: number,
  ) {
    this.byteViews = Array.from({ length: nslots }, () => null);
    this.dataViews = Array.from({ length: nslots }, () => null);
    this.dataDtype = new Int16Array(nslots).fill(-1);
    this.dataLength = new Int32Array(nslots).fill(-1);
  }

  /** The first `length` bytes of payload slot `slot` (length ≤ stride, checked by the caller). */
  bytes(slot: number, length: number): Uint8Array {
    const cached = this.byteViews[slot];
    if (cached !== null && cached !== undefined && cached.length === length) return cached;
    const view = new Uint8Array(this.buffer, this.slotsByteOffset + slot * this.strideBytes, length);
    this.byteViews[slot] = view;
    return view;
  }

  /**
   * `elements` elements of `dtype` at the start of payload slot `slot`. The slot start is 64-byte
   * aligned (region start 8-aligned + 64 + slot × stride, stride a multiple of 64), so every dtype's
   * alignment holds. 1-byte dtypes other than INT8 share the `bytes` view.
   */
  data(slot: number, dtype: number, elements: number, elementSize: number): FrameData {
    if (elementSize === 1 && dtype !== 2) return this.bytes(slot, elements);
    const cached = this.dataViews[slot];
    if (cached !== null && cached !== undefined && this.dataDtype[slot] === dtype && this.dataLength[slot] === elements) return cached;
    const view = createDataArray(dtype, this.buffer, this.slotsByteOffset + slot * this.strideBytes, elements);
    this.dataViews[slot] = view;
    this.dataDtype[slot] = dtype;
    this.dataLength[slot] = elements;
    return view;
  }
}
