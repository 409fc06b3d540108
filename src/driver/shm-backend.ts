/**
 * What the driver needs from shared-memory provisioning (src/shm implements it on the real
 * filesystem; tests may substitute). Every method may throw; the driver turns provisioning
 * failures into INTERNAL_ERROR responses ("failed to provision SHM: …", DRIVER_RULES §3.1).
 */
import type { ProfileConfig } from './config/driver-config.js';

export interface ProvisionedRegion {
  readonly uri: string;
  readonly nslots: number;
}

export interface ProvisionedPool extends ProvisionedRegion {
  readonly poolId: number;
  readonly strideBytes: number;
}

export interface ProvisionedEpoch {
  readonly streamId: number;
  readonly epoch: bigint;
  readonly header: ProvisionedRegion;
  readonly pools: readonly ProvisionedPool[];
}

export interface ShmBackend {
  /** Creates `<stream>/<epoch>/` with the header ring and every pool (EPOCH-10). */
  provision(streamId: number, epoch: bigint, profile: ProfileConfig, nowNs: number): ProvisionedEpoch;
  /** The highest epoch directory already on disk for the stream, 0n if none. */
  highestEpochOnDisk(streamId: number): bigint;
  /** Epoch GC for one stream after a bump (SHM_LAYOUT §12); never removes `inUse` epochs. */
  collect(streamId: number, currentEpoch: bigint, nowNs: number): void;
  /** GC of every stream directory at startup (`policies.epoch_gc_on_startup`). */
  collectAll(nowNs: number): void;
  /** Deletes the given current epochs (`policies.cleanup_shm_on_exit`). */
  removeEpoch(streamId: number, epoch: bigint): void;
  /**
   * Whether the epoch's region files are still regular files of their full size. Optional: a
   * backend without it (in-memory test doubles) is taken to be intact.
   */
  intact?(epoch: ProvisionedEpoch): boolean;
}
