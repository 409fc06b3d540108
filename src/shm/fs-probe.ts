/**
 * The filesystem facts provisioning and GC depend on, behind injectable functions so tests can
 * simulate a full or a hugetlbfs filesystem without mounting one.
 */
import { lstatSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode, ShmHugepagesError } from './shm-errors.js';

/** The statfs(2) fields used here, as bigints (u64 on Linux). */
export interface StatfsResult {
  /** f_type: filesystem magic. */
  readonly type: bigint;
  /** f_bavail: blocks available to unprivileged users. */
  readonly bavail: bigint;
  /** f_bsize: block size in bytes. */
  readonly bsize: bigint;
}

export type StatfsFn = (path: string) => StatfsResult;

export const defaultStatfs: StatfsFn = (path) => {
  const s = statfsSync(path, { bigint: true });
  return { type: s.type, bavail: s.bavail, bsize: s.bsize };
};

/** linux/magic.h HUGETLBFS_MAGIC. */
export const HUGETLBFS_MAGIC = 0x958458f6n;

/** `path` itself or its closest ancestor that exists (lstat, so a dangling symlink counts as existing). */
export function nearestExistingAncestor(path: string): string {
  let p = path;
  for (;;) {
    try {
      lstatSync(p);
      return p;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/**
 * Bytes available for new files at `path` (statfs of its closest existing ancestor, which is on
 * the filesystem the file will be created on): f_bavail × f_bsize (§10.2 free-space check).
 */
export function availableBytes(path: string, statfs: StatfsFn): bigint {
  const s = statfs(nearestExistingAncestor(path));
  return s.bavail * s.bsize;
}

/**
 * §8.2 rule 4 / §10.2 step 2: `path` (or, before it exists, its closest existing ancestor) must be
 * on hugetlbfs; a platform that cannot tell fails closed ("no silent downgrade").
 *
 * RI difference: the RI looks up the longest `/proc/mounts` prefix and `Hugepagesize` in
 * /proc/meminfo; statfs(2)'s f_type asks the kernel about the filesystem the path really resolves
 * to (bind mounts and symlinks included), so it cannot be fooled by a stale mount table.
 */
export function assertHugepageBacked(path: string, statfs: StatfsFn, platform: NodeJS.Platform): void {
  if (platform !== 'linux') {
    throw new ShmHugepagesError(
      `cannot verify hugepage backing of ${JSON.stringify(path)} on ${platform}; require_hugepages needs Linux hugetlbfs (or set shm.require_hugepages=false)`,
    );
  }
  const type = BigInt.asUintN(32, statfs(nearestExistingAncestor(path)).type);
  if (type !== HUGETLBFS_MAGIC) {
    throw new ShmHugepagesError(
      `SHM path not on hugetlbfs: ${JSON.stringify(path)} (filesystem type 0x${type.toString(16)}); ` +
        'mount hugetlbfs under shm.base_dir or set shm.require_hugepages=false',
    );
  }
}
