/**
 * Consumer side of the seqlock (SHM_LAYOUT.md §5.3) with the per-frame validation of §7.2.
 * Every failure is a counted drop, never an error and never a wait (§5.3 step 8).
 */
import { MajorOrder, SlotHeaderDecoder, TensorHeaderDecoder, type Dtype } from '../sbe/index.js';
import { DATA_BAD_ARGUMENT, dataError } from './data-error.js';
import { dtypeElementSize } from './dtypes.js';
import { FrameState, type Frame } from './frame.js';
import { RingAccess } from './ring-access.js';
import {
  HEADER_BYTES_LENGTH_OFFSET,
  HEADER_SLOT_BYTES,
  headerSlotOffset,
  MAX_DIMS,
  slotOf,
  TENSOR_HEADER_BYTES,
  TENSOR_HEADER_OFFSET,
  type CheckedPool,
  type FrameRing,
} from './ring-geometry.js';
import { committedWord, loadWord, MAX_SEQ, wordEquals, wordHi, wordLoIndex, writingLo, type AtomicWordMode } from './seq-commit.js';
import { effectiveStrides, progressFieldsValid } from './stride-check.js';
import type { SlotViews } from './view-cache.js';

export interface FrameReaderOptions {
  /** How seq_commit is loaded (see seq-commit.ts); default 'split32' (allocation-free). */
  readonly atomicWord?: AtomicWordMode;
  /** First seq `poll()` reads; default 0 (the producer restarts at 0 per epoch, §5.1). */
  readonly startSeq?: number;
}

/** `poll()` after a drop: wait for the same seq, skip it, or resync after being lapped. */
const DROP_NONE = 0;
const DROP_WAIT = 1;
const DROP_SKIP = 2;
const DROP_LAPPED = 3;

function badSeq(seq: number): never {
  throw dataError(DATA_BAD_ARGUMENT, `seq ${String(seq)} is not an integer in 0..2^52-1`);
}

export class FrameReader extends RingAccess {
  /** Frames returned (both seqlock loads matched and §7.2 passed). */
  framesRead = 0;
  /** The slot already held a later frame at the first load: lapped before read (§5.4 drops_late). */
  framesOverwritten = 0;
  /** seq_commit changed between the first and the second load: overwritten while read (§5.3 step 7, §5.4). */
  framesTorn = 0;
  /** Header failed §5.3 step 5 or §7.2 while seq_commit stayed put. */
  framesInvalid = 0;
  /** The first load found this seq's write in progress (even word, §5.3 step 3). */
  framesInProgress = 0;
  /** The slot still held an older frame: this seq is not written yet (or a stale slot). */
  framesNotYetWritten = 0;
  /** The word is lower than one already accepted from this slot (§5.4 "stale, skip"). */
  framesStale = 0;
  /** Descriptor epoch ≠ mapped epoch (§5.3 step 1, §7.2 rule 9). */
  framesEpochMismatch = 0;
  /** Next seq `poll()` reads. */
  nextSeq: number;


  private readonly poolIds: Int32Array;
  private readonly maxStride: number;
  /** Highest commit word accepted per slot (§5.4 stale check). */
  private readonly lastAccepted: Float64Array;
  private readonly slotDecoder = new SlotHeaderDecoder();
  private readonly tensorDecoder = new TensorHeaderDecoder();
  private readonly rawStrides = new Float64Array(MAX_DIMS);
  private readonly frame: FrameState;
  /** A read between readBegin and readEnd. */
  private pending = false;
  private pendingValid = false;
  /** What the last drop means for `poll()`. */
  private lastDrop = DROP_NONE;

  constructor(ring: FrameRing, options: FrameReaderOptions = {}) {
    super(ring, options.atomicWord);
    this.poolIds = Int32Array.from(this.pools, (p) => p.poolId);
    this.maxStride = Math.max(...this.pools.map((p) => p.strideBytes));
    this.lastAccepted = new Float64Array(ring.nslots);
    this.frame = new FrameState(ring.epoch, this.i32, this.words, this.mode);
    this.nextSeq = options.startSeq ?? 0;
  }

  /**
   * Reads frame `seq` (§5.3 steps 1–7 and §7.2). Returns the reader's Frame flyweight, or null
   * with one drop counter incremented. `epoch`, if given, is the FrameDescriptor's (step 1).
   */
  read(seq: number, epoch?: bigint): Frame | null {
    if (!this.readBegin(seq, epoch)) return null;
    return this.readEnd();
  }

  /**
   * As `read`, and copies the payload into `dest` between the two seq_commit loads, so a returned
   * frame guarantees the copy is intact (§5.3: "a consumer copying payload should do so before
   * step 6"). `dest` must hold the largest pool stride.
   */
  readInto(seq: number, dest: Uint8Array, epoch?: bigint): Frame | null {
    if (dest.length < this.maxStride) {
      throw dataError(DATA_BAD_ARGUMENT, `readInto: dest holds ${dest.length} bytes, the largest stride is ${this.maxStride}`);
    }
    if (!this.readBegin(seq, epoch)) return null;
    if (this.pendingValid) dest.set(this.frame.bytes);
    return this.readEnd();
  }

  /**
   * Steps 1–5: epoch check, first load of seq_commit (must be this seq's committed word), then the
   * slot header, embedded header and §7.2 checks, copied into the frame. Returns false (one drop
   * counted) if the first load already rules the frame out; otherwise a read is pending and
   * `readEnd()` must follow. Exposed for callers that copy or inspect between the loads, and for
   * tests that interleave a writer there.
   */
  readBegin(seq: number, epoch?: bigint): boolean {
    this.pending = false;
    if (epoch !== undefined && epoch !== this.epoch) {
      this.framesEpochMismatch++;
      this.lastDrop = DROP_WAIT;
      return false;
    }
    if (!(seq >= 0 && seq <= MAX_SEQ && Math.floor(seq) === seq)) badSeq(seq);
    const slot = slotOf(seq, this.nslots);
    const f = this.frame;
    const lo32 = wordLoIndex(slot);
    const lo = writingLo(seq) + 1;
    const hi = wordHi(seq);
    f.lo32 = lo32;
    f.expectedLo = lo;
    f.expectedHi = hi;
    let first: boolean;
    if (this.split) {
      first = wordEquals(this.i32, lo32, lo, hi);
    } else {
      const word = committedWord(seq);
      f.expectedWord = word;
      first = Atomics.load(this.words, lo32 >> 1) === word;
    }
    if (!first) {
      this.countFirstLoadDrop(lo32, seq);
      return false;
    }
    if (2 * seq + 1 < (this.lastAccepted[slot] as number)) {
      this.framesStale++;
      this.lastDrop = DROP_SKIP;
      return false;
    }
    f.seq = seq;
    f.slot = slot;
    this.pendingValid = this.parse(slot);
    this.pending = true;
    return true;
  }

  /**
   * Steps 6–7: second load; the frame is returned only if seq_commit is unchanged (else
   * `framesTorn`) and the header read in between was valid (else `framesInvalid`).
   */
  readEnd(): Frame | null {
    if (!this.pending) return null;
    this.pending = false;
    const f = this.frame;
    const same = this.split ? wordEquals(this.i32, f.lo32, f.expectedLo, f.expectedHi) : Atomics.load(this.words, f.lo32 >> 1) === f.expectedWord;
    if (!same) {
      this.framesTorn++;
      this.lastDrop = DROP_SKIP;
      return null;
    }
    if (!this.pendingValid) {
      this.framesInvalid++;
      this.lastDrop = DROP_SKIP;
      return null;
    }
    this.lastDrop = DROP_NONE;
    this.lastAccepted[f.slot] = 2 * f.seq + 1;
    this.framesRead++;
    return f;
  }

  /**
   * Reads `nextSeq` without a descriptor (polling). On success advances `nextSeq`. When the
   * reader has been lapped it jumps to the frame the slot now holds (resync to latest, §5.4; the
   * lapped read is counted in `framesOverwritten`); a torn, invalid or stale frame is skipped; a
   * frame not written yet (or in progress) is waited for: null, `nextSeq` unchanged. With `dest`,
   * reads as `readInto` does (the payload copied between the two loads).
   */
  poll(dest?: Uint8Array): Frame | null {
    const seq = this.nextSeq;
    const frame = dest === undefined ? this.read(seq) : this.readInto(seq, dest);
    if (frame !== null) {
      this.nextSeq = seq + 1;
    } else if (this.lastDrop === DROP_LAPPED) {
      const held = Math.floor(loadWord(this.i32, wordLoIndex(slotOf(seq, this.nslots))) / 2);
      this.nextSeq = held > seq ? held : seq + 1;
    } else if (this.lastDrop === DROP_SKIP) {
      this.nextSeq = seq + 1;
    }
    return frame;
  }

  /** The highest committed seq in the ring (a scan of every slot's word), or -1 if none. */
  latestSeq(): number {
    let best = -1;
    for (let slot = 0; slot < this.nslots; slot++) {
      const word = loadWord(this.i32, wordLoIndex(slot));
      if (word >= 0 && word % 2 === 1) {
        const seq = (word - 1) / 2;
        if (seq > best) best = seq;
      }
    }
    return best;
  }

  /** Classifies a failed first load (cold path). */
  private countFirstLoadDrop(lo32: number, seq: number): void {
    const word = loadWord(this.i32, lo32);
    const committed = 2 * seq + 1;
    if (word < 0 || word === committed) {
      // The word moved while being loaded, or between the two loads of this classification.
      this.framesTorn++;
      this.lastDrop = DROP_SKIP;
    } else if (word === committed - 1) {
      this.framesInProgress++;
      this.lastDrop = DROP_WAIT;
    } else if (word < committed) {
      this.framesNotYetWritten++;
      this.lastDrop = DROP_WAIT;
    } else {
      this.framesOverwritten++;
      this.lastDrop = DROP_LAPPED;
    }
  }

  /** Steps 4–5 and §7.2 rules 1–8 on slot `slot`; fills the frame. False = invalid. */
  private parse(slot: number): boolean {
    const dv = this.view;
    const off = headerSlotOffset(slot);
    // §5.3 step 5, checked on the raw bytes first so that the codec's wrap cannot throw.
    if (dv.getUint32(off + HEADER_BYTES_LENGTH_OFFSET, true) !== TENSOR_HEADER_BYTES) return false;
    const h = off + TENSOR_HEADER_OFFSET;
    if (
      dv.getUint16(h, true) !== TensorHeaderDecoder.BLOCK_LENGTH ||
      dv.getUint16(h + 2, true) !== TensorHeaderDecoder.TEMPLATE_ID ||
      dv.getUint16(h + 4, true) !== TensorHeaderDecoder.SCHEMA_ID ||
      dv.getUint16(h + 6, true) !== TensorHeaderDecoder.SCHEMA_VERSION
    ) {
      return false;
    }
    const sh = this.slotDecoder.wrap(this.bytes, off, HEADER_SLOT_BYTES);
    const th = this.tensorDecoder.wrap(this.bytes, h, TENSOR_HEADER_BYTES);
    const f = this.frame;
    if (sh.payloadSlot() !== slot) return false; // rule 1
    if (sh.payloadOffset() !== 0) return false; // rule 2
    const dtype = th.dtype();
    const elementSize = dtypeElementSize(dtype); // 0 for UNKNOWN and undefined values
    const majorOrder = th.majorOrder();
    if (elementSize === 0 || (majorOrder !== MajorOrder.ROW && majorOrder !== MajorOrder.COLUMN)) return false; // rule 3
    const ndims = th.ndims();
    if (ndims === 0 || ndims > MAX_DIMS) return false; // rule 4
    const dims = f.shapeStore;
    const raw = this.rawStrides;
    for (let d = 0; d < ndims; d++) {
      dims[d] = th.dims(d);
      raw[d] = th.strides(d);
    }
    if (!effectiveStrides(majorOrder, elementSize, ndims, dims, raw, f.strideStore)) return false; // rule 5
    if (!progressFieldsValid(th.progressUnit(), th.progressStrideBytes(), ndims, f.strideStore)) return false; // rule 6
    const poolId = sh.poolId();
    let p = 0;
    while (p < this.poolIds.length && this.poolIds[p] !== poolId) p++;
    if (p === this.poolIds.length) return false; // rule 7
    const pool = this.pools[p] as CheckedPool;
    const valuesLen = sh.valuesLenBytes();
    if (valuesLen > pool.strideBytes) return false; // rule 8
    const views = this.views[p] as SlotViews;
    f.setNdims(ndims);
    f.setDtype(dtype as Dtype);
    f.majorOrder = majorOrder;
    f.poolId = poolId;
    f.valuesLenBytes = valuesLen;
    f.bytes = views.bytes(slot, valuesLen);
    f.data = views.data(slot, dtype, Math.floor(valuesLen / elementSize), elementSize);
    f.metaVersion = sh.metaVersion();
    f.timestampLo = dv.getInt32(off + 22, true);
    f.timestampHi = dv.getInt32(off + 26, true);
    return true;
  }
}
