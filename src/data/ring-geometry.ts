/**
 * The memory a writer or reader works on: one header ring and its payload pools, as byte and word
 * views of regions someone else mapped (SHM_LAYOUT.md §1, §3.1, §4). Nothing here opens files.
 */
import { MESSAGE_HEADER_LENGTH, TensorHeaderEncoder } from '../sbe/index.js';
import { DATA_BAD_GEOMETRY, dataError } from './data-error.js';

// SUPERBLOCK_BYTES and HEADER_SLOT_BYTES repeat src/shm's SUPERBLOCK_SIZE and HEADER_SLOT_BYTES:
// src/data may import only src/sbe and src/errors (test/data/isolation.test.ts).

/** 64-byte superblock at offset 0 of every region (§1, §2). */
export const SUPERBLOCK_BYTES = 64;
/** Fixed header slot size (§3.1). */
export const HEADER_SLOT_BYTES = 256;
/** Slot offset of the headerBytes var-data length (§3.2). */
export const HEADER_BYTES_LENGTH_OFFSET = 60;
/** Slot offset of the embedded TensorHeader message header (§3.2). */
export const TENSOR_HEADER_OFFSET = 64;
/** headerBytes length: 8-byte message header + 184-byte TensorHeader block (§3.2). */
export const TENSOR_HEADER_BYTES = MESSAGE_HEADER_LENGTH + TensorHeaderEncoder.BLOCK_LENGTH;
export const MAX_DIMS = 8;

/** A region as `bytes` (offset 0 = superblock) and `words`, two views of the same memory. */
export interface RegionBuffers {
  readonly bytes: Uint8Array;
  readonly words: BigInt64Array;
}

export interface PoolRegion {
  /** Pool id as announced (ShmAttachResponse / ShmPoolAnnounce payloadPools). */
  readonly poolId: number;
  /** Distance between payload slots (§4 rule 5: a power of two, multiple of 64). */
  readonly strideBytes: number;
  readonly region: { readonly bytes: Uint8Array };
}

/** One stream's mapped regions for one epoch. `header.bytes` and `header.words` must alias the same memory. */
export interface FrameRing {
  readonly streamId: number;
  readonly epoch: bigint;
  /** header_nslots, a power of two; every pool has as many slots (§4 rule 3). */
  readonly nslots: number;
  readonly header: RegionBuffers;
  readonly pools: readonly PoolRegion[];
}

/** A pool after the checks, with what the hot paths need precomputed. */
export interface CheckedPool {
  readonly poolId: number;
  readonly strideBytes: number;
  readonly bytes: Uint8Array;
  /** `bytes.buffer` and `bytes.byteOffset + 64`: where payload slot 0 starts. */
  readonly buffer: ArrayBufferLike;
  readonly slotsByteOffset: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0x40000000 && (n & (n - 1)) === 0;
}

function fail(message: string): never {
  throw dataError(DATA_BAD_GEOMETRY, message);
}

/**
 * Checks the geometry a writer or reader is built on and returns its pools, so that nothing on
 * the per-frame path can index outside the regions: nslots a power of two, regions long enough for
 * `64 + nslots × 256` and `64 + nslots × stride`, strides per §4 rule 5, unique pool ids, and the
 * byte views 8-byte aligned (mapped regions are page-aligned; this is what makes every payload
 * slot 64-byte aligned, so any dtype's typed array fits it). Superblock contents (§7.1) are the
 * mapping layer's to check.
 */
export function checkRing(ring: FrameRing): CheckedPool[] {
  if (!LITTLE_ENDIAN) fail('the SHM layout is little-endian and this host is not (SHM_LAYOUT.md, preamble)');
  const { nslots, header } = ring;
  if (!isPowerOfTwo(nslots)) fail(`nslots ${nslots} is not a power of two (SHM_LAYOUT.md §3.1)`);
  if (typeof ring.epoch !== 'bigint' || ring.epoch < 0n) fail('epoch must be a non-negative bigint');
  const ringBytes = SUPERBLOCK_BYTES + nslots * HEADER_SLOT_BYTES;
  if (header.bytes.length < ringBytes) fail(`header ring bytes ${header.bytes.length} < 64 + ${nslots} × 256`);
  if (header.words.length * 8 < ringBytes) fail(`header ring words cover ${header.words.length * 8} bytes < 64 + ${nslots} × 256`);
  if (header.bytes.byteOffset % 8 !== 0) fail('header ring bytes must start 8-byte aligned');
  if (ring.pools.length === 0) fail('at least one payload pool is needed (SHM_LAYOUT.md §7.1 rule 3)');
  const pools: CheckedPool[] = [];
  for (const p of ring.pools) {
    const { poolId, strideBytes } = p;
    const bytes = p.region.bytes;
    if (!Number.isInteger(poolId) || poolId < 0 || poolId > 0xffff) fail(`pool id ${poolId} is not a u16`);
    if (pools.some((q) => q.poolId === poolId)) fail(`pool id ${poolId} appears twice`);
    if (!isPowerOfTwo(strideBytes) || strideBytes < 64) fail(`pool ${poolId}: stride ${strideBytes} is not a power of two ≥ 64 (SHM_LAYOUT.md §4 rule 5)`);
    if (bytes.length < SUPERBLOCK_BYTES + nslots * strideBytes) fail(`pool ${poolId}: ${bytes.length} bytes < 64 + ${nslots} × ${strideBytes}`);
    if (bytes.byteOffset % 8 !== 0) fail(`pool ${poolId}: bytes must start 8-byte aligned`);
    pools.push({ poolId, strideBytes, bytes, buffer: bytes.buffer, slotsByteOffset: bytes.byteOffset + SUPERBLOCK_BYTES });
  }
  return pools;
}

/** Byte offset of header slot `slot` in the header region (§3.1). */
export function headerSlotOffset(slot: number): number {
  return SUPERBLOCK_BYTES + slot * HEADER_SLOT_BYTES;
}

/**
 * Slot index of `seq`: `seq & (nslots − 1)` (§3.1), exact for every safe-integer seq (`&` alone
 * works on 32 bits only).
 */
export function slotOf(seq: number, nslots: number): number {
  return seq <= 0x7fffffff ? seq & (nslots - 1) : seq % nslots;
}
