/**
 * Producer side of the seqlock (SHM_LAYOUT.md §5.2): claim a payload slot, write the payload in
 * place, commit the slot header and embedded TensorHeader (§3.2), then the committed word.
 * Publishing the FrameDescriptor (step 7) is the caller's: `commit` returns the seq to put in it.
 */
import { MajorOrder, ProgressUnit, SlotHeaderEncoder, TensorHeaderEncoder, type Dtype } from '../sbe/index.js';
import { DATA_BAD_ARGUMENT, DATA_BAD_TENSOR, DATA_CLAIM_STATE, dataError } from './data-error.js';
import { dtypeElementSize, dtypeFromName, dtypeOfArray, type DtypeName } from './dtypes.js';
import { RingAccess } from './ring-access.js';
import {
  HEADER_SLOT_BYTES,
  headerSlotOffset,
  MAX_DIMS,
  slotOf,
  TENSOR_HEADER_BYTES,
  type CheckedPool,
  type FrameRing,
} from './ring-geometry.js';
import { committedWord, MAX_SEQ, wordHi, wordIndex, wordLoIndex, writingLo, writingWord, type AtomicWordMode } from './seq-commit.js';
import { effectiveStrides, expectedProgressStride } from './stride-check.js';
import type { SlotViews } from './view-cache.js';

/** What `commit` writes into the TensorHeader and the slot header's other fields. */
export interface TensorLayout {
  readonly dtype: Dtype | DtypeName;
  /** dims, 1..8 of them, each 0..2^31−1. */
  readonly shape: ArrayLike<number>;
  /** Byte strides, one per dim; 0 or absent = contiguous (§7.3). The effective strides are written. */
  readonly strides?: ArrayLike<number> | undefined;
  /** Default ROW. */
  readonly majorOrder?: MajorOrder | undefined;
  /** Default NONE. With ROWS/COLUMNS, progressStrideBytes defaults to the §7.4 expected value. */
  readonly progressUnit?: ProgressUnit | undefined;
  readonly progressStrideBytes?: number | undefined;
  /** SlotHeader.timestampNs, capture time (§6 rule 6); default 0. A bigint you hold costs nothing. */
  readonly timestampNs?: bigint | number | undefined;
  /** SlotHeader.metaVersion; default 0. */
  readonly metaVersion?: number | undefined;
}

/** `publish` options: a TensorLayout whose dtype defaults to the array's and shape to `[length]`. */
export type PublishLayout = Partial<TensorLayout>;

/** A claimed slot: the writer's one reused handle, valid until commit or abandon. */
export interface SlotClaim {
  readonly seq: number;
  readonly slot: number;
  readonly poolId: number;
  /** valuesLenBytes of the frame. */
  readonly length: number;
  /** Exactly `length` writable bytes at the start of the payload slot (zero-copy). */
  readonly payload: Uint8Array;
}

export interface FrameWriterOptions {
  /** How seq_commit is stored (see seq-commit.ts); default 'split32' (allocation-free). */
  readonly atomicWord?: AtomicWordMode;
  /** First seq; default 0 (§5.1: restart at 0 on each new epoch, EPOCH-07). */
  readonly initialSeq?: number;
}

class ClaimState implements SlotClaim {
  seq = 0;
  slot = 0;
  poolId = 0;
  poolIndex = 0;
  length = 0;
  payload: Uint8Array = new Uint8Array(0);
  active = false;
}

const NO_LAYOUT: PublishLayout = {};

/** Zeroes the 26 pad bytes at slot offset 34..59 (DataView stores: `fill` on shared memory costs 3× more). */
function zeroSlotPad(view: DataView, slotOffset: number): void {
  const p = slotOffset + 34;
  view.setUint16(p, 0, true);
  for (let k = 2; k < 26; k += 4) view.setUint32(p + k, 0, true);
}

function badTensor(message: string): never {
  throw dataError(DATA_BAD_TENSOR, message);
}

export class FrameWriter extends RingAccess {
  /** Frames committed. */
  framesPublished = 0;
  /** Frames no pool could hold (§4 rule 6: dropped, never blocked). */
  framesDroppedOversize = 0;


  private seq: number;
  /** High half of the word this writer last stored per slot; -1 = never written by us. */
  private readonly storedHi: Int32Array;
  private readonly claimState = new ClaimState();
  private readonly slotEncoder = new SlotHeaderEncoder();
  private readonly tensorEncoder = new TensorHeaderEncoder();
  private readonly effective = new Float64Array(MAX_DIMS);
  private readonly zeroStrides = new Float64Array(MAX_DIMS);
  private readonly oneDim = new Int32Array(1);
  private lastSource: ArrayBufferView | null = null;
  private lastSourceBytes: Uint8Array = new Uint8Array(0);

  constructor(ring: FrameRing, options: FrameWriterOptions = {}) {
    super(ring, options.atomicWord);
    this.storedHi = new Int32Array(ring.nslots).fill(-1);
    const initial = options.initialSeq ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial > MAX_SEQ) {
      throw dataError(DATA_BAD_ARGUMENT, `initialSeq ${initial} is not an integer in 0..2^52-1`);
    }
    this.seq = initial;
  }

  /** The seq the next claim gets. */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * §5.2 steps 1–2: picks the smallest pool whose stride holds `bytes` (§4 rule 6, ties → the
   * earliest configured), stores the in-progress word `S << 1` in slot `S & (nslots − 1)` and
   * returns the writer's reused claim with `payload` = `bytes` writable bytes of that payload slot.
   * No pool fits → null and `framesDroppedOversize` += 1 (never blocks, never throws for size).
   */
  claim(bytes: number): SlotClaim | null {
    if (!(bytes >= 0 && Math.floor(bytes) === bytes)) throw dataError(DATA_BAD_ARGUMENT, `claim: ${String(bytes)} is not a byte count`);
    const c = this.claimState;
    if (c.active) throw dataError(DATA_CLAIM_STATE, `claim: seq ${c.seq} is still claimed (commit or abandon it first)`);
    let best = -1;
    let bestStride = Infinity;
    for (let i = 0; i < this.pools.length; i++) {
      const stride = (this.pools[i] as CheckedPool).strideBytes;
      if (stride >= bytes && stride < bestStride) {
        best = i;
        bestStride = stride;
      }
    }
    if (best < 0) {
      this.framesDroppedOversize++;
      return null;
    }
    const seq = this.seq;
    if (seq > MAX_SEQ) throw dataError(DATA_BAD_ARGUMENT, 'seq reached 2^52: start a new epoch');
    const slot = slotOf(seq, this.nslots);
    // Step 2: the in-progress word, before any payload or header byte.
    const hi = wordHi(seq);
    if (this.split && this.storedHi[slot] === hi) {
      Atomics.store(this.i32, wordLoIndex(slot), writingLo(seq));
    } else {
      Atomics.store(this.words, wordIndex(slot), writingWord(seq));
      this.storedHi[slot] = hi;
    }
    c.seq = seq;
    c.slot = slot;
    c.poolIndex = best;
    c.poolId = (this.pools[best] as CheckedPool).poolId;
    c.length = bytes;
    c.payload = (this.views[best] as SlotViews).bytes(slot, bytes);
    c.active = true;
    return c;
  }

  /**
   * §5.2 steps 4, 6 and 8, after the caller wrote the payload (step 3): writes every slot header
   * field and the whole embedded TensorHeader (§3.2; pad zeroed, dims/strides beyond ndims 0,
   * effective strides), then the committed word `(S << 1) | 1`, and advances S. Returns S, the
   * seq for the FrameDescriptor (step 7, which must come after this). A tensor consumers would
   * drop (§7.2, §7.3, §7.4) throws TP_ERR_DATA_BAD_TENSOR and leaves the claim open.
   */
  commit(claim: SlotClaim, tensor: TensorLayout): number {
    const c = this.claimState;
    if (claim !== c || !c.active) throw dataError(DATA_CLAIM_STATE, 'commit: no open claim (claim first; a claim commits once)');
    const dtype = typeof tensor.dtype === 'string' ? dtypeFromName(tensor.dtype) : tensor.dtype;
    const elementSize = dtype === undefined ? 0 : dtypeElementSize(dtype);
    if (dtype === undefined || elementSize === 0) badTensor(`dtype ${String(tensor.dtype)} is not a defined dtype (UNKNOWN is not allowed)`);
    const majorOrder = tensor.majorOrder ?? MajorOrder.ROW;
    const shape = tensor.shape;
    const ndims = shape.length;
    if (ndims < 1 || ndims > MAX_DIMS) badTensor(`ndims ${ndims} is not 1..8`);
    const strides = tensor.strides ?? this.zeroStrides;
    if (tensor.strides !== undefined && strides.length !== ndims) badTensor(`${strides.length} strides for ${ndims} dims`);
    for (let d = 0; d < ndims; d++) {
      const v = shape[d] as number;
      const s = strides[d] as number;
      if (!(Number.isInteger(v) && v >= 0 && v <= 0x7fffffff)) badTensor(`dim ${d} = ${v} is not an integer 0..2^31-1`);
      if (!(Number.isInteger(s) && s >= 0 && s <= 0x7fffffff)) badTensor(`stride ${d} = ${s} is not an integer 0..2^31-1`);
    }
    const eff = this.effective;
    if (!effectiveStrides(majorOrder, elementSize, ndims, shape, strides, eff)) {
      badTensor('strides overlap or do not follow majorOrder (SHM_LAYOUT.md §7.3)');
    }
    const unit = tensor.progressUnit ?? ProgressUnit.NONE;
    const expected = expectedProgressStride(unit, ndims, eff);
    const progressStride = tensor.progressStrideBytes ?? expected;
    if (expected < 0 || (unit !== ProgressUnit.NONE && (expected === 0 || progressStride !== expected))) {
      badTensor(`progressStrideBytes ${progressStride} does not match progressUnit ${unit} (SHM_LAYOUT.md §7.4)`);
    }
    const off = headerSlotOffset(c.slot);
    const sh = this.slotEncoder.wrap(this.bytes, off, HEADER_SLOT_BYTES);
    sh.valuesLenBytes(c.length).payloadSlot(c.slot).poolId(c.poolId).payloadOffset(0).metaVersion(tensor.metaVersion ?? 0);
    const ts = tensor.timestampNs ?? 0;
    if (typeof ts === 'bigint') sh.timestampNs(ts);
    else sh.timestampNsNumber(ts);
    zeroSlotPad(this.view, off); // SlotHeader pad (§3.2: writer may zero)
    const at = sh.reserveHeaderBytes(TENSOR_HEADER_BYTES);
    const th = this.tensorEncoder.wrapAndApplyHeader(this.bytes, at, TENSOR_HEADER_BYTES); // zero-fills the block
    th.dtype(dtype).majorOrder(majorOrder).ndims(ndims).padAlign(0).progressUnit(unit).progressStrideBytes(progressStride);
    for (let d = 0; d < ndims; d++) th.dims(d, shape[d] as number).strides(d, eff[d] as number);
    th.finish();
    // Step 6: committed. Only the low half changes (same S), so split32 never needs the 8-byte store here.
    if (this.split) Atomics.store(this.i32, wordLoIndex(c.slot), writingLo(c.seq) + 1);
    else Atomics.store(this.words, wordIndex(c.slot), committedWord(c.seq));
    c.active = false;
    this.framesPublished++;
    this.seq = c.seq + 1; // step 8
    return c.seq;
  }

  /**
   * Gives up an open claim: the slot stays in progress (readers drop it) and the next claim
   * reuses the same seq, which was never published.
   */
  abandon(claim: SlotClaim): void {
    if (claim === this.claimState) this.claimState.active = false;
  }

  /**
   * Claims `data.byteLength` bytes, copies `data` in, commits. dtype defaults to the array's
   * (Float32Array → FLOAT32, …), shape to `[elements]`. Returns the seq, or null if no pool
   * fits (counted). Allocation-free when `data` is a Uint8Array or the same array as last time.
   */
  publish(data: ArrayBufferView, layout: PublishLayout = NO_LAYOUT): number | null {
    let src: Uint8Array;
    if (data instanceof Uint8Array) src = data;
    else if (data === this.lastSource) src = this.lastSourceBytes;
    else {
      src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.lastSource = data;
      this.lastSourceBytes = src;
    }
    const dtype = layout.dtype ?? dtypeOfArray(data);
    if (dtype === undefined) throw dataError(DATA_BAD_TENSOR, 'publish: give a dtype for this kind of view');
    let shape = layout.shape;
    if (shape === undefined) {
      const size = dtypeElementSize(typeof dtype === 'string' ? (dtypeFromName(dtype) ?? 0) : dtype);
      this.oneDim[0] = size === 0 ? 0 : Math.floor(src.length / size);
      shape = this.oneDim;
    }
    const claim = this.claim(src.length);
    if (claim === null) return null;
    claim.payload.set(src);
    const c = this.claimState;
    try {
      return this.commitWith(c, dtype, shape, layout);
    } catch (e) {
      this.abandon(c);
      throw e;
    }
  }

  private readonly publishLayout = {
    dtype: 1 as Dtype | DtypeName,
    shape: new Int32Array(0) as ArrayLike<number>,
    strides: undefined as ArrayLike<number> | undefined,
    majorOrder: undefined as MajorOrder | undefined,
    progressUnit: undefined as ProgressUnit | undefined,
    progressStrideBytes: undefined as number | undefined,
    timestampNs: undefined as bigint | number | undefined,
    metaVersion: undefined as number | undefined,
  };

  /** commit() with publish's defaults, through one reused layout object (no per-frame literal). */
  private commitWith(c: SlotClaim, dtype: Dtype | DtypeName, shape: ArrayLike<number>, layout: PublishLayout): number {
    const l = this.publishLayout;
    l.dtype = dtype;
    l.shape = shape;
    l.strides = layout.strides;
    l.majorOrder = layout.majorOrder;
    l.progressUnit = layout.progressUnit;
    l.progressStrideBytes = layout.progressStrideBytes;
    l.timestampNs = layout.timestampNs;
    l.metaVersion = layout.metaVersion;
    return this.commit(c, l);
  }
}
