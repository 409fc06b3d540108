/** Test fixtures: a header ring and payload pools over SharedArrayBuffers, as a mapping would hand them over. */
import type { FrameRing } from '../../src/data/index.js';

export interface PoolSpec {
  readonly poolId: number;
  readonly strideBytes: number;
}

export interface TestRing extends FrameRing {
  readonly headerBuffer: SharedArrayBuffer;
  readonly poolBuffers: readonly SharedArrayBuffer[];
}

export const EPOCH = 2000000000n;
export const STREAM_ID = 10000;

/** Fresh zeroed regions: header `64 + nslots × 256`, each pool `64 + nslots × stride`. */
export function makeRing(nslots: number, pools: readonly PoolSpec[], epoch: bigint = EPOCH): TestRing {
  const headerBuffer = new SharedArrayBuffer(64 + nslots * 256);
  const poolBuffers = pools.map((p) => new SharedArrayBuffer(64 + nslots * p.strideBytes));
  return ringOver(headerBuffer, poolBuffers, nslots, pools, epoch);
}

/** The same regions seen through new views (what another thread builds from the same buffers). */
export function ringOver(
  headerBuffer: SharedArrayBuffer,
  poolBuffers: readonly SharedArrayBuffer[],
  nslots: number,
  pools: readonly PoolSpec[],
  epoch: bigint = EPOCH,
): TestRing {
  return {
    streamId: STREAM_ID,
    epoch,
    nslots,
    header: { bytes: new Uint8Array(headerBuffer), words: new BigInt64Array(headerBuffer) },
    pools: pools.map((p, i) => ({ poolId: p.poolId, strideBytes: p.strideBytes, region: { bytes: new Uint8Array(poolBuffers[i] as SharedArrayBuffer) } })),
    headerBuffer,
    poolBuffers,
  };
}

/** The 256 bytes of header slot `slot`. */
export function slotBytes(ring: FrameRing, slot: number): Uint8Array {
  return ring.header.bytes.subarray(64 + slot * 256, 64 + (slot + 1) * 256);
}

/** The bytes of payload slot `slot` of pool index `poolIndex`. */
export function payloadBytes(ring: FrameRing, poolIndex: number, slot: number): Uint8Array {
  const pool = ring.pools[poolIndex];
  if (pool === undefined) throw new Error(`no pool ${poolIndex}`);
  const start = 64 + slot * pool.strideBytes;
  return pool.region.bytes.subarray(start, start + pool.strideBytes);
}

/** Sets the seq_commit word of `slot` directly (for hand-built slots and simulated writers). */
export function setWord(ring: FrameRing, slot: number, word: bigint): void {
  Atomics.store(ring.header.words, 8 + slot * 32, word);
}

/**
 * SHM_LAYOUT.md §3.3, verbatim: seq 5 committed, 3×4 UINT8 row-major, pool 1, timestampNs
 * 2100000000 (hex as in the spec, one line per row of its table).
 */
export const EXAMPLE_SLOT_HEX = [
  '0b 00 00 00 00 00 00 00',
  '0c 00 00 00',
  '05 00 00 00',
  '01 00',
  '00 00 00 00',
  '00 75 2b 7d 00 00 00 00',
  '00 00 00 00',
  '00 '.repeat(26),
  'c0 00 00 00',
  'b8 00 34 00 84 03 01 00',
  '01 00',
  '01 00',
  '02',
  '00',
  '00',
  '00 00 00 00',
  '03 00 00 00 04 00 00 00' + ' 00'.repeat(24),
  '04 00 00 00 01 00 00 00' + ' 00'.repeat(24),
  '00 '.repeat(109),
].join(' ');

/** A reader's or writer's numeric counters as text, for assertion messages. */
export function counters(o: object): string {
  return Object.entries(o)
    .filter(([k, v]) => k.startsWith('frames') && typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
