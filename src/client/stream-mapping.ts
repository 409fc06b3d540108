/**
 * Maps one stream epoch's regions — the header ring and every payload pool a lease or an
 * announce names — with `mapRegion`, and exposes them as the `FrameRing` the seqlock core works
 * on. All or nothing (SHM_LAYOUT §7.6, fail closed): if any region fails its checks (§10.1 file
 * checks, §7.1 superblock against the expected geometry), the ones already mapped are unmapped
 * and the ShmMapError is rethrown, so a partly mapped stream never exists.
 */
import type { FrameRing } from '../data/index.js';
import { mapRegion, type MappedRegion } from '../shm/map-region.js';
import type { Regions } from './attach-response-check.js';
import type { Lease } from './client-types.js';

export interface StreamEpochRegions {
  readonly streamId: number;
  readonly epoch: bigint;
  readonly layoutVersion: number;
  readonly regions: Regions;
}

/** The epoch and regions a lease grants. */
export function leaseRegions(lease: Lease): StreamEpochRegions {
  return { streamId: lease.streamId, epoch: lease.epoch, layoutVersion: lease.layoutVersion, regions: { header: lease.header, pools: lease.pools } };
}

export class StreamMapping {
  readonly ring: FrameRing;
  private closedFlag = false;

  private constructor(
    readonly streamId: number,
    readonly epoch: bigint,
    readonly header: MappedRegion,
    readonly pools: readonly MappedRegion[],
    ring: FrameRing,
  ) {
    this.ring = ring;
  }

  /** Maps header then pools, read-write for a producer, read-only for a consumer (§10.1 step 6). */
  static map(e: StreamEpochRegions, writable: boolean, allowedBaseDirs: readonly string[]): StreamMapping {
    const { header, pools } = e.regions;
    const mapped: MappedRegion[] = [];
    try {
      const h = mapRegion(header.uri, {
        writable,
        allowedBaseDirs,
        requireHugepages: header.requireHugepages,
        expected: { kind: 'header', streamId: e.streamId, epoch: e.epoch, nslots: header.nslots, layoutVersion: e.layoutVersion },
      });
      mapped.push(h);
      const poolRegions = pools.map((p) => {
        const r = mapRegion(p.uri, {
          writable,
          allowedBaseDirs,
          requireHugepages: p.requireHugepages,
          expected: {
            kind: 'pool',
            streamId: e.streamId,
            epoch: e.epoch,
            // §4 rule 3 (checked by CLIENT-04 too): every pool has the header's slot count.
            nslots: header.nslots,
            poolId: p.poolId,
            strideBytes: p.strideBytes,
            layoutVersion: e.layoutVersion,
          },
        });
        mapped.push(r);
        return r;
      });
      const ring: FrameRing = {
        streamId: e.streamId,
        epoch: e.epoch,
        nslots: header.nslots,
        header: { bytes: h.bytes, words: h.words },
        pools: pools.map((p, i) => ({ poolId: p.poolId, strideBytes: p.strideBytes, region: { bytes: (poolRegions[i] as MappedRegion).bytes } })),
      };
      return new StreamMapping(e.streamId, e.epoch, h, poolRegions, ring);
    } catch (error) {
      for (const r of mapped) r.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Every region of this epoch, header first. */
  regions(): MappedRegion[] {
    return [this.header, ...this.pools];
  }

  /** Unmaps everything; views into the regions are detached (no access after unmap). Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const r of this.regions()) r.close();
  }
}
