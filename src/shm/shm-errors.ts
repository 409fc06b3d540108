/**
 * Errors of the SHM layer. Each has a stable code (never reused with another meaning); the driver
 * maps provisioning failures to the attach response code INTERNAL_ERROR (SHM_LAYOUT.md §12.1) and
 * a consumer treats any of them as "region rejected, never mapped" (§8.2, §10.1).
 */
import { TensorpoolError } from '../errors.js';

/** A `shm:file` URI that breaks the §8.1 grammar or a §8.2 rejection rule. */
export class ShmUriError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_URI', message);
  }
}

/**
 * A path outside `shm.allowed_base_dirs`, not absolute, not normalised, or with a symlink or
 * non-directory component below its allowed base (§10, FS-01).
 */
export class ShmContainmentError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_CONTAINMENT', message);
  }
}

/** `require_hugepages` is set but the path is not (or cannot be shown to be) on hugetlbfs (§8.2 rule 4, §10.2 step 2). */
export class ShmHugepagesError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_HUGEPAGES', message);
  }
}

/** Creating, sizing or initialising an epoch's backing files failed (§10.2); nothing of the epoch is left behind. */
export class ShmProvisionError extends TensorpoolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TP_ERR_SHM_PROVISION', message, options);
  }
}

/** Node's errno code of a failed fs call, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * The check of SHM_LAYOUT §7.1 / §8 / §10.1 that refused to map a region (consumer or producer
 * side, `mapRegion`). Codes are `TP_ERR_SHM_MAP_<check>`.
 */
export type ShmMapCheck =
  /** §8.2 rules 1–3 (the URI text). */
  | 'URI'
  /** §10.1 steps 1–4: not absolute, not normalised, outside the allowed dirs, symlink component. */
  | 'CONTAINMENT'
  /** The file does not exist (RI: a non-existent path fails containment). */
  | 'NOT_FOUND'
  /** §10.1 step 5/6: not a regular file (FIFO, device, socket, directory, symlink). */
  | 'FILE_TYPE'
  /** open(2) failed for another reason (EACCES, …). */
  | 'OPEN'
  /** §10.1 step 6: the opened file is not the one that was checked (device/inode differ). */
  | 'IDENTITY'
  /** §10.1 step 7 / §7.1 step 6: the file is smaller than the mapping. */
  | 'SIZE'
  /** §8.2 rule 4: hugepages required but the file is not (or cannot be shown to be) on hugetlbfs. */
  | 'HUGEPAGES'
  /** §7.1 steps 1–4: the announced/attached geometry itself is invalid (nslots, stride, size). */
  | 'GEOMETRY'
  /** §7.1 step 7/8 superblock fields. */
  | 'MAGIC'
  | 'LAYOUT_VERSION'
  | 'EPOCH'
  | 'STREAM_ID'
  | 'REGION_TYPE'
  | 'POOL_ID'
  | 'NSLOTS'
  | 'SLOT_BYTES'
  | 'STRIDE_BYTES'
  /** §7.1 step 9: activityTimestampNs zero or older than the freshness window. */
  | 'ACTIVITY'
  /** mmap(2) itself failed. */
  | 'MMAP'
  /** The region is read-only or closed (refreshActivity on a consumer mapping). */
  | 'STATE'
  /** The tp_mmap addon is missing or does not load (run `npm rebuild`). */
  | 'NATIVE'
  /** Not a little-endian host (SHM_LAYOUT: all values little-endian, BE hosts must refuse). */
  | 'PLATFORM';

/** A region that was refused and is not mapped (any mapping made while checking has been undone). */
export class ShmMapError extends TensorpoolError {
  declare readonly code: `TP_ERR_SHM_MAP_${ShmMapCheck}`;
  readonly check: ShmMapCheck;

  constructor(check: ShmMapCheck, message: string, options?: { cause?: unknown }) {
    super(`TP_ERR_SHM_MAP_${check}`, message, options);
    this.check = check;
  }
}
