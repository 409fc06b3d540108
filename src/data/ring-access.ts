/**
 * What FrameWriter and FrameReader both hold: the checked geometry, the header ring as bytes,
 * DataView, BigInt64Array and Int32Array (for the two seq_commit access modes), and the cached
 * payload views of every pool.
 */
import { checkRing, type CheckedPool, type FrameRing } from './ring-geometry.js';
import { int32Over, type AtomicWordMode } from './seq-commit.js';
import { SlotViews } from './view-cache.js';

export abstract class RingAccess {
  readonly streamId: number;
  readonly epoch: bigint;
  readonly nslots: number;

  protected readonly pools: CheckedPool[];
  protected readonly bytes: Uint8Array;
  protected readonly view: DataView;
  protected readonly words: BigInt64Array;
  protected readonly i32: Int32Array;
  /** True for 'split32' (the default), false for 'bigint64'. */
  protected readonly split: boolean;
  protected readonly mode: AtomicWordMode;
  /** Cached payload views, one SlotViews per pool (same order as `pools`). */
  protected readonly views: SlotViews[];

  protected constructor(ring: FrameRing, mode: AtomicWordMode | undefined) {
    this.pools = checkRing(ring);
    this.streamId = ring.streamId;
    this.epoch = ring.epoch;
    this.nslots = ring.nslots;
    this.bytes = ring.header.bytes;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.words = ring.header.words;
    this.i32 = int32Over(this.words);
    this.mode = mode ?? 'split32';
    this.split = this.mode === 'split32';
    this.views = this.pools.map((p) => new SlotViews(p.buffer, p.slotsByteOffset, p.strideBytes, ring.nslots));
  }
}
