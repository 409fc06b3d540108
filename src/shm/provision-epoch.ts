/**
 * Provisioning one epoch of one stream (SHM_LAYOUT.md §1, §2, §9, §10.2, §11; EPOCH-10, FS-01..04):
 * `<nsDir>/<stream_id>/<epoch>/header.ring` and `<pool_id>.pool`, each sized, moded and stamped
 * with its superblock. All or nothing: on any failure, everything this call created is removed.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  chmodSync,
  openSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProfileConfig } from '../driver/config/driver-config.js';
import { TensorpoolError } from '../errors.js';
import { RegionType } from '../sbe/wire/region-type.js';
import { epochDir, HEADER_FILE, poolFile } from './canonical-path.js';
import { assertContained } from './containment.js';
import { assertHugepageBacked, availableBytes, nearestExistingAncestor } from './fs-probe.js';
import { formatRegionUri } from './region-uri.js';
import { errnoCode, ShmProvisionError } from './shm-errors.js';
import type { ShmContext } from './shm-context.js';
import { encodeSuperblock, HEADER_SLOT_BYTES, SUPERBLOCK_SIZE, type SuperblockFields } from './superblock-io.js';

const U64_MAX = (1n << 64n) - 1n;

export interface ProvisionEpochRequest {
  readonly streamId: number;
  /** ≥ 1; the caller guarantees it is new for the stream (epoch-floor.ts, EPOCH-08). */
  readonly epoch: bigint;
  readonly profile: ProfileConfig;
  /** Monotonic ns: superblock start = activity = nowNs (§10.2 step 9). */
  readonly nowNs: bigint;
  /** Written into every superblock (RI: the driver's pid, §2.1). */
  readonly pid: number;
  /**
   * Called once when the free-space check fails, before failing (§10.2: "run epoch GC for the
   * stream with minimum age 0 and re-check"); typically `() => collectEpochs(ctx, {…, minAgeNs: 0n})`.
   */
  readonly onShortOfSpace?: () => void;
}

export interface ProvisionedHeader {
  readonly path: string;
  readonly uri: string;
  readonly nslots: number;
  readonly slotBytes: 256;
  /** 64 + nslots × 256. */
  readonly size: number;
}

export interface ProvisionedPool {
  readonly poolId: number;
  readonly path: string;
  readonly uri: string;
  readonly nslots: number;
  readonly strideBytes: number;
  /** 64 + nslots × strideBytes. */
  readonly size: number;
}

export interface ProvisionedEpoch {
  readonly streamId: number;
  readonly epoch: bigint;
  readonly dir: string;
  readonly header: ProvisionedHeader;
  readonly pools: readonly ProvisionedPool[];
}

/** §1 sizes; throws when the result is not an exact JS number (> 2^53 − 1 bytes). */
export function regionSize(nslots: number, slotBytes: number): number {
  const size = SUPERBLOCK_SIZE + nslots * slotBytes;
  if (!Number.isSafeInteger(size)) {
    throw new ShmProvisionError(`region of ${nslots} slots × ${slotBytes} bytes is too large to address`);
  }
  return size;
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x80000000;

function checkRequest(req: ProvisionEpochRequest): void {
  const bad = (what: string): never => {
    throw new ShmProvisionError(`cannot provision stream ${req.streamId} epoch ${req.epoch}: ${what}`);
  };
  const { profile } = req;
  if (!Number.isInteger(req.streamId) || req.streamId < 0 || req.streamId > 0xffffffff) bad('streamId is not a u32');
  if (req.epoch < 1n || req.epoch > U64_MAX) bad('epoch must be in [1, 2^64-1] (EPOCH-06)');
  if (req.nowNs < 0n || req.nowNs > U64_MAX) bad('nowNs is not a u64');
  if (!Number.isSafeInteger(req.pid) || req.pid < 0) bad('pid is not a non-negative integer');
  // Re-checked here although config validation (V3–V6, V11) already did: a bad geometry would be
  // written into superblocks that consumers then reject (§7.1).
  if (!isPow2(profile.headerNslots)) bad(`header_nslots ${profile.headerNslots} is not a power of two`);
  if (profile.headerSlotBytes !== HEADER_SLOT_BYTES) bad(`header_slot_bytes must be 256, got ${profile.headerSlotBytes}`);
  if (profile.payloadPools.length === 0) bad('the profile has no payload pool');
  const seen = new Set<number>();
  for (const pool of profile.payloadPools) {
    if (!Number.isInteger(pool.poolId) || pool.poolId < 0 || pool.poolId > 0xffff) bad(`pool id ${pool.poolId} is not a u16`);
    if (seen.has(pool.poolId)) bad(`pool id ${pool.poolId} is repeated`);
    seen.add(pool.poolId);
    const s = pool.strideBytes;
    if (!isPow2(s) || s < 64) bad(`pool ${pool.poolId} stride_bytes ${s} is not a power of two ≥ 64 (§4 rule 5)`);
  }
}

interface PlannedRegion {
  readonly label: string; // "header region" | "payload pool <id>" (RI message wording)
  readonly path: string;
  readonly size: number;
  readonly fields: SuperblockFields;
  /** True when an existing regular file is reused (policies.reuse_existing_shm). */
  readonly reuse: boolean;
}

/** lstat without throwing on ENOENT. */
function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

const ZERO_CHUNK = new Uint8Array(1 << 20);

/**
 * policies.prefault_shm (FS-04) on a newly created file. ftruncate already makes the file read as
 * zeros, but on tmpfs it is sparse: pages are only allocated when first touched, so a full tmpfs
 * turns into SIGBUS for whoever writes the mapping later. Writing zeros over the whole file
 * allocates (commits) every page now, so a shortage fails provisioning with ENOSPC instead.
 */
function prefault(fd: number, size: number): void {
  for (let pos = 0; pos < size; pos += ZERO_CHUNK.length) {
    const len = Math.min(ZERO_CHUNK.length, size - pos);
    writeFully(fd, len === ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, len), pos);
  }
}

/**
 * Creates (or, with policies.reuse_existing_shm, reuses) the epoch directory and its regions.
 * Throws ShmContainmentError, ShmHugepagesError or ShmProvisionError; the driver answers the
 * attach with INTERNAL_ERROR and the error message.
 */
export function provisionEpoch(ctx: ShmContext, req: ProvisionEpochRequest): ProvisionedEpoch {
  checkRequest(req);
  const { streamId, epoch, profile, nowNs, pid } = req;
  const nslots = profile.headerNslots;
  const dir = epochDir(ctx.nsDir, streamId, epoch);
  const common = { epoch, streamId, nslots, pid, startTimestampNs: nowNs, activityTimestampNs: nowNs };

  // 1. Containment of every path before any mkdir/open (§10.2 step 1, FS-01).
  const headerPath = join(dir, HEADER_FILE);
  const poolPaths = profile.payloadPools.map((p) => join(dir, poolFile(p.poolId)));
  for (const p of [dir, headerPath, ...poolPaths]) assertContained(p, ctx.allowedBaseDirs);

  // 2. Hugepages (§10.2 step 2): before creating anything, on the filesystem the files will land on.
  if (ctx.requireHugepages) assertHugepageBacked(dir, ctx.statfs, ctx.platform);

  // 3. What exists already. A fresh epoch normally has no directory; one that exists is reused
  //    only under reuse_existing_shm (RI difference: without it the RI truncates existing files in
  //    place, which can corrupt a mapping another process still holds; we refuse instead).
  const dirStat = lstatOrUndefined(dir);
  if (dirStat !== undefined) {
    if (!dirStat.isDirectory()) throw new ShmProvisionError(`epoch path ${JSON.stringify(dir)} exists and is not a directory; remove it`);
    if (!ctx.reuseExisting) {
      throw new ShmProvisionError(
        `epoch directory ${JSON.stringify(dir)} already exists; choose an epoch above the highest on disk (highestEpochOnDisk) or enable policies.reuse_existing_shm`,
      );
    }
  }
  const plan = (label: string, path: string, size: number, fields: SuperblockFields): PlannedRegion => {
    const st = dirStat === undefined ? undefined : lstatOrUndefined(path);
    if (st !== undefined && !st.isFile()) {
      throw new ShmProvisionError(`SHM path must be a regular file: ${JSON.stringify(path)} (§10.2 step 4); remove it`);
    }
    return { label, path, size, fields, reuse: st !== undefined };
  };
  const regions: PlannedRegion[] = [
    plan('header region', headerPath, regionSize(nslots, HEADER_SLOT_BYTES), {
      ...common,
      regionType: RegionType.HEADER_RING,
      poolId: 0,
      slotBytes: HEADER_SLOT_BYTES,
      strideBytes: 0, // RI value (§2.1)
    }),
    ...profile.payloadPools.map((p, i) =>
      plan(`payload pool ${p.poolId}`, poolPaths[i] ?? '', regionSize(nslots, p.strideBytes), {
        ...common,
        regionType: RegionType.PAYLOAD_POOL,
        poolId: p.poolId,
        slotBytes: p.strideBytes, // RI: slotBytes = stride (§2.1)
        strideBytes: p.strideBytes,
      }),
    ),
  ];

  // 4. Free space for every new file together (§10.2): the RI checks each file alone, which passes
  //    when each fits but all together do not. Reused files need no new space.
  const shortage = (): string | undefined => {
    let left = availableBytes(dir, ctx.statfs);
    for (const r of regions) {
      if (r.reuse) continue;
      if (left < BigInt(r.size)) return `insufficient shm space for ${r.label}: need ${r.size} bytes, have ${left < 0n ? 0n : left}`;
      left -= BigInt(r.size);
    }
    return undefined;
  };
  let short = shortage();
  if (short !== undefined && req.onShortOfSpace !== undefined) {
    req.onShortOfSpace();
    short = shortage();
  }
  if (short !== undefined) {
    throw new ShmProvisionError(`${short} under ${JSON.stringify(ctx.nsDir)}; free space there or enlarge the filesystem`);
  }

  const createdDirs: string[] = [];
  const createdFiles: string[] = [];
  try {
    // 5. Directories, one component at a time so each new one gets dirMode regardless of umask
    //    (§11 RI uses the process default; we use the configured mode plus x, see shm-context.ts).
    const existing = nearestExistingAncestor(dir);
    const missing: string[] = [];
    for (let p = dir; p !== existing; p = dirname(p)) missing.unshift(p);
    for (const p of missing) {
      try {
        mkdirSync(p, { mode: ctx.dirMode });
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
        // Created concurrently: accept only a real directory (lstat: no symlink).
        if (!lstatSync(p).isDirectory()) throw new ShmProvisionError(`${JSON.stringify(p)} appeared and is not a directory`);
        continue;
      }
      createdDirs.push(p);
      chmodSync(p, ctx.dirMode);
    }
    // The walk again, now that the directories exist (narrows the window for a swapped component).
    assertContained(dir, ctx.allowedBaseDirs);

    // 6. Files.
    for (const r of regions) {
      if (r.reuse) {
        reuseRegion(ctx, r);
      } else {
        createRegion(ctx, r, createdFiles);
      }
    }
  } catch (error) {
    // Never leave a half epoch: remove files, then directories (deepest first) that this call made.
    for (const f of createdFiles.reverse()) {
      try {
        unlinkSync(f);
      } catch {
        /* already gone */
      }
    }
    for (const d of createdDirs.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty (someone else's content) or gone: leave it */
      }
    }
    if (error instanceof TensorpoolError) throw error;
    const code = errnoCode(error);
    throw new ShmProvisionError(
      `provisioning stream ${streamId} epoch ${epoch} under ${JSON.stringify(dir)} failed${code === undefined ? '' : ` (${code})`}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }

  const uriOf = (path: string): string => formatRegionUri(path, ctx.requireHugepages);
  const [headerRegion] = regions;
  return {
    streamId,
    epoch,
    dir,
    header: { path: headerPath, uri: uriOf(headerPath), nslots, slotBytes: HEADER_SLOT_BYTES, size: headerRegion?.size ?? 0 },
    pools: profile.payloadPools.map((p, i) => {
      const path = poolPaths[i] ?? '';
      return { poolId: p.poolId, path, uri: uriOf(path), nslots, strideBytes: p.strideBytes, size: regionSize(nslots, p.strideBytes) };
    }),
  };
}

/** §10.2 step 6–9 for a new file: O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink fails with EEXIST/ELOOP). */
function createRegion(ctx: ShmContext, r: PlannedRegion, createdFiles: string[]): void {
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(r.path, flags, ctx.fileMode);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST' || code === 'ELOOP') {
      throw new ShmProvisionError(`SHM path ${JSON.stringify(r.path)} appeared while provisioning (${code}); refusing to open it`, { cause: error });
    }
    throw error;
  }
  createdFiles.push(r.path);
  try {
    fchmodSync(fd, ctx.fileMode); // the umask may have removed bits from the open() mode (§10.2 step 7)
    ftruncateSync(fd, r.size);
    if (ctx.prefault) {
      try {
        prefault(fd, r.size);
      } catch (error) {
        if (errnoCode(error) === 'ENOSPC') {
          throw new ShmProvisionError(`insufficient shm space for ${r.label}: the filesystem filled up while prefaulting ${r.size} bytes`, { cause: error });
        }
        throw error;
      }
    }
    writeSuperblock(fd, r);
  } finally {
    closeSync(fd);
  }
}

/** §10.2 step 5: existing regular file, opened no-follow, at least the needed size, contents kept. */
function reuseRegion(ctx: ShmContext, r: PlannedRegion): void {
  const fd = openSync(r.path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ShmProvisionError(`SHM path must be a regular file: ${JSON.stringify(r.path)}`);
    if (st.size < r.size) {
      throw new ShmProvisionError(
        `SHM file smaller than expected size: ${JSON.stringify(r.path)} has ${st.size} bytes, needs ${r.size}; remove it or disable policies.reuse_existing_shm`,
      );
    }
    fchmodSync(fd, ctx.fileMode);
    writeSuperblock(fd, r);
  } finally {
    closeSync(fd);
  }
}

function writeSuperblock(fd: number, r: PlannedRegion): void {
  try {
    writeFully(fd, encodeSuperblock(r.fields), 0);
  } catch (error) {
    if (errnoCode(error) === 'EINVAL') {
      // hugetlbfs files cannot be written with write(2); only a shared mapping can, which needs native code.
      throw new ShmProvisionError(
        `cannot write the superblock of ${JSON.stringify(r.path)} with write(2) (EINVAL; hugetlbfs needs mmap, which this Node.js driver lacks)`,
        { cause: error },
      );
    }
    throw error;
  }
}
