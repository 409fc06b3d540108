/**
 * The driver's SHM backend on the real filesystem (src/shm): provisioning, the on-disk epoch
 * floor, epoch GC after each bump, startup GC and exit cleanup. Converts the driver's number
 * clock to the bigint nanoseconds src/shm works in (only on these rare paths).
 */
import {
  collectEpochs,
  collectStale,
  createShmContext,
  epochFilesIntact,
  highestEpochOnDisk,
  provisionEpoch,
  removeEpoch,
  type ShmContext,
  type ShmContextOptions,
} from '../shm/index.js';
import type { DriverConfig, ProfileConfig } from './config/driver-config.js';
import type { ProvisionedEpoch, ShmBackend } from './shm-backend.js';

export class FsShmBackend implements ShmBackend {
  readonly ctx: ShmContext;
  private readonly keep: number;
  private readonly minAgeNs: bigint;

  constructor(config: DriverConfig, options: ShmContextOptions = {}) {
    this.ctx = createShmContext(config, options);
    this.keep = Math.max(1, config.policies.epochGcKeep);
    this.minAgeNs = config.policies.epochGcMinAgeNs;
  }

  provision(streamId: number, epoch: bigint, profile: ProfileConfig, nowNs: number): ProvisionedEpoch {
    const now = BigInt(Math.floor(nowNs));
    return provisionEpoch(this.ctx, {
      streamId,
      epoch,
      profile,
      nowNs: now,
      pid: process.pid,
      // Short of space: collect this stream's old epochs regardless of age, then re-check.
      onShortOfSpace: () => {
        collectEpochs(this.ctx, { streamId, currentEpoch: epoch, inUse: new Set(), nowNs: now, keep: 1, minAgeNs: 0n, wallNowMs: Date.now() });
      },
    });
  }

  highestEpochOnDisk(streamId: number): bigint {
    return highestEpochOnDisk(this.ctx.nsDir, streamId);
  }

  collect(streamId: number, currentEpoch: bigint, nowNs: number): void {
    collectEpochs(this.ctx, {
      streamId,
      currentEpoch,
      inUse: new Set([currentEpoch]),
      nowNs: BigInt(Math.floor(nowNs)),
      keep: this.keep,
      minAgeNs: this.minAgeNs,
      wallNowMs: Date.now(),
    });
  }

  collectAll(nowNs: number): void {
    collectStale(this.ctx, { nowNs: BigInt(Math.floor(nowNs)), keep: this.keep, minAgeNs: this.minAgeNs, wallNowMs: Date.now() });
  }

  intact(epoch: ProvisionedEpoch): boolean {
    return epochFilesIntact(epoch);
  }

  removeEpoch(streamId: number, epoch: bigint): void {
    removeEpoch(this.ctx, streamId, epoch);
  }
}
