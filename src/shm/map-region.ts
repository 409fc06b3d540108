/**
 * Mapping one region (header ring or payload pool) the way SHM_LAYOUT.md §10.1 and §7.1 demand of
 * a consumer (and of a producer, which maps the same files writable): every check happens before
 * a view is handed out, and a refused region is never left mapped.
 *
 * Order (each step names the spec rule it implements):
 * 1. the expected geometry itself (§7.1 steps 1–4): nslots a non-zero power of two, pool stride a
 *    power of two multiple of 64, size an exact JS number;
 * 2. the URI (§8.1/§8.2 rules 1–3) — or an absolute path given directly;
 * 3. containment (§10.1 steps 1–4): the path must be absolute and normalised and lie inside one of
 *    the canonicalised allowed dirs, with no symlink at or below the base (the file included);
 * 4. lstat of that path (§10.1 step 5): a regular file, before anything opens it — opening a FIFO
 *    would block and opening a device has side effects;
 * 5. open with O_NOFOLLOW | O_NONBLOCK and O_RDONLY or O_RDWR, never O_CREAT (§10.1 step 6);
 * 6. fstat of the fd (§10.1 step 6): regular file, and the same device + inode as step 4 (the RI
 *    skips this; it catches a file swapped between the check and the open), size ≥ the mapping
 *    (§10.1 step 7, §7.1 step 6); then realpath must still be the checked path;
 * 7. hugepage backing when the URI or the caller requires it (§8.2 rule 4);
 * 8. mmap(MAP_SHARED) of exactly the expected size, the fd closed right after (the mapping keeps the
 *    file), then the superblock of the *mapping* is validated (§7.1 steps 7–9) — reading it from the
 *    mapping rather than with read(2) leaves no window between the check and what is used.
 * Any failure throws ShmMapError with the check and the values, after unmapping/closing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, type BigIntStats } from 'node:fs';
import { endianness } from 'node:os';
import { RegionType } from '../sbe/wire/region-type.js';
import { canonicalizeAllowedDirs, assertNoSymlinkBelow, containingBase } from './containment.js';
import { assertHugepageBacked, defaultStatfs, type StatfsFn } from './fs-probe.js';
import { nativeMmap } from './native-mmap.js';
import { parseRegionUri, SHM_URI_PREFIX } from './region-uri.js';
import { errnoCode, ShmMapError, type ShmMapCheck } from './shm-errors.js';
import {
  decodeSuperblock,
  HEADER_SLOT_BYTES,
  LAYOUT_VERSION,
  SUPERBLOCK_MAGIC,
  SUPERBLOCK_SIZE,
  type SuperblockSnapshot,
} from './superblock-io.js';

/** What the attach response or pool announce says the region is (§7.1). */
export type ExpectedRegion =
  | {
      readonly kind: 'header';
      readonly streamId: number;
      readonly epoch: bigint;
      /** headerNslots. */
      readonly nslots: number;
      /** Default 1 (LAYOUT_VERSION). */
      readonly layoutVersion?: number;
    }
  | {
      readonly kind: 'pool';
      readonly streamId: number;
      readonly epoch: bigint;
      /** poolNslots, which v1.2 requires to equal headerNslots (checked by the caller across regions). */
      readonly nslots: number;
      readonly poolId: number;
      readonly strideBytes: number;
      readonly layoutVersion?: number;
    };

export interface MapRegionOptions {
  /** PROT_READ|PROT_WRITE over an O_RDWR fd (producer) or PROT_READ over O_RDONLY (consumer). */
  readonly writable: boolean;
  /** Configured allowed base dirs; canonicalised here (§10.1 step 3). Callers mapping many regions may pass them canonical already. */
  readonly allowedBaseDirs: readonly string[];
  readonly expected: ExpectedRegion;
  /** The caller's own require_hugepages setting, applied on top of the URI's (§8.2 "a consumer also applies its own"). */
  readonly requireHugepages?: boolean;
  /**
   * §7.1 step 9: activityTimestampNs must be non-zero and `nowNs ≤ activity + maxAgeNs`. The RI
   * applies it when mapping from an announce, not from an attach response: omit it for the latter.
   */
  readonly freshness?: { readonly nowNs: bigint; readonly maxAgeNs: bigint };
  /** Injectable for tests (hugetlbfs cannot be mounted everywhere). */
  readonly statfs?: StatfsFn;
  readonly platform?: NodeJS.Platform;
}

/** A validated, mapped region. Views are over the mapping itself: zero-copy, shared with every other mapper. */
export interface MappedRegion {
  /** The canonical path that was checked and mapped. */
  readonly path: string;
  /** Bytes mapped: 64 + nslots × slot bytes (not the file size, which may be larger). */
  readonly size: number;
  readonly writable: boolean;
  /** The whole region, superblock included. Length 0 after close(). */
  readonly bytes: Uint8Array;
  /**
   * The region as 8-byte words for atomic access (`Atomics.load/store`): seq_commit of header slot
   * i is `words[(64 + i × 256) / 8]`, superblock activityTimestampNs is `words[7]`. The mapping is
   * page-aligned and every §1 offset used atomically is a multiple of 8.
   */
  readonly words: BigInt64Array;
  /** The superblock as validated at map time (pid for §7.1 step 10's "pid changed → remap"). */
  readonly superblock: SuperblockSnapshot;
  /** True once close() ran. */
  readonly closed: boolean;
  /** Unmaps now and detaches the views (access afterwards reads undefined / Atomics throw). Idempotent. */
  close(): void;
  /** mlock(2) the mapping (policies.mlock_shm); throws ShmMapError('MMAP') with the errno. */
  lock(): void;
}

/** Word index of the superblock's activityTimestampNs (byte offset 56, §2.1). */
export const ACTIVITY_WORD = 7;
const U32_MAX = 0xffff_ffff;

function fail(check: ShmMapCheck, message: string, cause?: unknown): never {
  throw new ShmMapError(check, message, cause === undefined ? undefined : { cause });
}

/** A u32 power of two (`&` works on the low 32 bits, which is all of a u32). */
const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= U32_MAX && (n & (n - 1)) === 0;

/** §4 rule 5 (RI: stride ≥ 64 && popcount == 1 && (stride & 63) == 0). */
export function isValidStrideBytes(stride: number): boolean {
  return isPowerOfTwo(stride) && stride >= 64;
}

/** §7.1 steps 1–4 on the expected values; returns the slot bytes and the mapping size. */
function checkGeometry(e: ExpectedRegion): { slotBytes: number; size: number } {
  if (!Number.isInteger(e.streamId) || e.streamId < 0 || e.streamId > U32_MAX) {
    fail('GEOMETRY', `stream id ${e.streamId} is not a u32`);
  }
  if (e.epoch < 0n || e.epoch >= 1n << 64n) fail('GEOMETRY', `epoch ${e.epoch} is not a u64`);
  if (!isPowerOfTwo(e.nslots)) fail('GEOMETRY', `nslots ${e.nslots} is not a non-zero power of two (SHM_LAYOUT §7.1 step 2)`);
  let slotBytes: number = HEADER_SLOT_BYTES;
  if (e.kind === 'pool') {
    if (!Number.isInteger(e.poolId) || e.poolId < 0 || e.poolId > 0xffff) fail('GEOMETRY', `pool id ${e.poolId} is not a u16`);
    if (!isValidStrideBytes(e.strideBytes)) {
      fail('GEOMETRY', `pool ${e.poolId} strideBytes ${e.strideBytes} is not a power of two ≥ 64 (SHM_LAYOUT §4 rule 5)`);
    }
    slotBytes = e.strideBytes;
  }
  const size = SUPERBLOCK_SIZE + e.nslots * slotBytes;
  if (!Number.isSafeInteger(size)) fail('GEOMETRY', `region size 64 + ${e.nslots} × ${slotBytes} exceeds 2^53 − 1 bytes`);
  return { slotBytes, size };
}

/** §7.1 steps 7–9: the superblock against the expected region. */
function checkSuperblock(sb: SuperblockSnapshot, e: ExpectedRegion, slotBytes: number, path: string, freshness: MapRegionOptions['freshness']): void {
  const where = `superblock of ${JSON.stringify(path)}`;
  const mismatch = (check: ShmMapCheck, field: string, got: bigint | number, want: bigint | number): never =>
    fail(check, `${where}: ${field} is ${got}, expected ${want} (SHM_LAYOUT §7.1)`);
  if (sb.magic !== SUPERBLOCK_MAGIC) {
    fail('MAGIC', `${where}: magic 0x${sb.magic.toString(16)} is not 0x${SUPERBLOCK_MAGIC.toString(16)} (SHM_LAYOUT §2.2)`);
  }
  const layoutVersion = e.layoutVersion ?? LAYOUT_VERSION;
  if (sb.layoutVersion !== layoutVersion) mismatch('LAYOUT_VERSION', 'layoutVersion', sb.layoutVersion, layoutVersion);
  if (sb.epoch !== e.epoch) mismatch('EPOCH', 'epoch', sb.epoch, e.epoch);
  if (sb.streamId !== e.streamId) mismatch('STREAM_ID', 'streamId', sb.streamId, e.streamId);
  const type = e.kind === 'header' ? RegionType.HEADER_RING : RegionType.PAYLOAD_POOL;
  if (sb.regionType !== type) mismatch('REGION_TYPE', 'regionType', sb.regionType, type);
  const poolId = e.kind === 'header' ? 0 : e.poolId;
  if (sb.poolId !== poolId) mismatch('POOL_ID', 'poolId', sb.poolId, poolId);
  if (sb.nslots !== e.nslots) mismatch('NSLOTS', 'nslots', sb.nslots, e.nslots);
  if (sb.slotBytes !== slotBytes) mismatch('SLOT_BYTES', 'slotBytes', sb.slotBytes, slotBytes);
  // Header: the RI writes strideBytes 0 and does not check it; §7.1 step 7 lists no stride rule.
  if (e.kind === 'pool' && sb.strideBytes !== e.strideBytes) mismatch('STRIDE_BYTES', 'strideBytes', sb.strideBytes, e.strideBytes);
  if (freshness !== undefined) {
    const activity = sb.activityTimestampNs;
    if (activity === 0n) fail('ACTIVITY', `${where}: activityTimestampNs is 0 (SHM_LAYOUT §7.1 step 9)`);
    if (freshness.nowNs > activity + freshness.maxAgeNs) {
      fail(
        'ACTIVITY',
        `${where}: activityTimestampNs ${activity} is stale: now ${freshness.nowNs} > activity + ${freshness.maxAgeNs} (SHM_LAYOUT §7.1 step 9)`,
      );
    }
  }
}

class Region implements MappedRegion {
  readonly bytes: Uint8Array;
  readonly words: BigInt64Array;
  #closed = false;

  constructor(
    readonly path: string,
    readonly size: number,
    readonly writable: boolean,
    private readonly buffer: ArrayBuffer,
    readonly superblock: SuperblockSnapshot,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.words = new BigInt64Array(buffer);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    nativeMmap().unmap(this.buffer);
  }

  lock(): void {
    if (this.#closed) fail('STATE', `cannot mlock ${JSON.stringify(this.path)}: the region is closed`);
    try {
      nativeMmap().mlock(this.buffer);
    } catch (error) {
      fail('MMAP', `mlock of ${JSON.stringify(this.path)} (${this.size} bytes) failed: ${errorText(error)} (raise RLIMIT_MEMLOCK or disable policies.mlock_shm)`, error);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function kindOf(st: BigIntStats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return `not a regular file (mode 0o${st.mode.toString(8)})`;
}

/**
 * Maps the region named by `uriOrPath` (a `shm:file?` URI or an absolute path) after every check
 * of SHM_LAYOUT §10.1 and §7.1; throws ShmMapError otherwise, never leaving a mapping behind.
 */
export function mapRegion(uriOrPath: string, options: MapRegionOptions): MappedRegion {
  if (endianness() !== 'LE') fail('PLATFORM', 'SHM regions are little-endian; this host is big-endian (SHM_LAYOUT preamble)');
  const { expected, writable } = options;
  const { slotBytes, size } = checkGeometry(expected);

  // §8: URI grammar. A bare path is accepted for callers that already hold one (tests, inspect).
  let path: string;
  let requireHugepages = options.requireHugepages ?? false;
  if (uriOrPath.startsWith('shm:')) {
    try {
      const uri = parseRegionUri(uriOrPath);
      path = uri.path;
      requireHugepages ||= uri.requireHugepages;
    } catch (error) {
      return fail('URI', errorText(error), error);
    }
  } else {
    if (!uriOrPath.startsWith('/')) fail('CONTAINMENT', `SHM path ${JSON.stringify(uriOrPath)} must be absolute (or a ${SHM_URI_PREFIX} URI)`);
    path = uriOrPath;
  }

  // §10.1 steps 1–4 (+ FS-01's "no symlink below the base", which also covers the file itself).
  const allowed = canonicalizeAllowedDirs(options.allowedBaseDirs);
  let checked: BigIntStats;
  try {
    assertNoSymlinkBelow(containingBase(path, allowed), path);
    checked = lstatSync(path, { bigint: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return fail('NOT_FOUND', `SHM region ${JSON.stringify(path)} does not exist`, error);
    if (error instanceof ShmMapError) throw error;
    return fail('CONTAINMENT', errorText(error), error);
  }
  // §10.1 step 5: only regular files, checked before open (a FIFO would block the open).
  if (!checked.isFile()) fail('FILE_TYPE', `SHM region ${JSON.stringify(path)} is ${kindOf(checked)}, not a regular file (SHM_LAYOUT §10.1 step 5)`);

  // §10.1 step 6: no-follow, non-blocking, never create; O_RDWR only for a writable mapping.
  let fd: number;
  try {
    fd = openSync(path, (writable ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return fail('NOT_FOUND', `SHM region ${JSON.stringify(path)} disappeared before it was opened`, error);
    if (code === 'ELOOP') return fail('CONTAINMENT', `SHM region ${JSON.stringify(path)} became a symlink before it was opened (O_NOFOLLOW)`, error);
    return fail('OPEN', `cannot open SHM region ${JSON.stringify(path)} ${writable ? 'read-write' : 'read-only'}: ${errorText(error)}`, error);
  }

  let buffer: ArrayBuffer | undefined;
  try {
    const opened = fstatSync(fd, { bigint: true });
    if (!opened.isFile()) fail('FILE_TYPE', `opened SHM region ${JSON.stringify(path)} is ${kindOf(opened)}, not a regular file (SHM_LAYOUT §10.1 step 6)`);
    if (!sameFile(opened, checked)) {
      fail(
        'IDENTITY',
        `SHM region ${JSON.stringify(path)} was replaced between check and open: checked dev ${checked.dev} ino ${checked.ino}, opened dev ${opened.dev} ino ${opened.ino} (SHM_LAYOUT §10.1 step 6)`,
      );
    }
    if (opened.size < BigInt(size)) {
      fail('SIZE', `SHM region ${JSON.stringify(path)} is ${opened.size} bytes, smaller than the ${size} bytes to map (SHM_LAYOUT §10.1 step 7)`);
    }
    // §10.1 step 2–4 literally: the canonical path (realpath) is the path checked above.
    let canonical: string;
    try {
      canonical = realpathSync.native(path);
    } catch (error) {
      return fail('CONTAINMENT', `cannot canonicalise ${JSON.stringify(path)}: ${errorText(error)}`, error);
    }
    if (canonical !== path.replace(/\/+$/, '')) {
      fail('CONTAINMENT', `SHM region ${JSON.stringify(path)} resolves to ${JSON.stringify(canonical)}; only canonical paths are mapped (SHM_LAYOUT §10.1 step 2)`);
    }
    if (requireHugepages) {
      try {
        assertHugepageBacked(path, options.statfs ?? defaultStatfs, options.platform ?? process.platform);
      } catch (error) {
        return fail('HUGEPAGES', errorText(error), error);
      }
    }
    try {
      buffer = nativeMmap().map(fd, size, writable);
    } catch (error) {
      if (error instanceof ShmMapError) throw error;
      return fail('MMAP', `mmap of ${size} bytes of ${JSON.stringify(path)} failed: ${errorText(error)}`, error);
    }
  } finally {
    closeSync(fd); // the mapping keeps the file; the fd is not needed after mmap
  }

  try {
    const bytes = new Uint8Array(buffer, 0, SUPERBLOCK_SIZE);
    const superblock = decodeSuperblock(bytes);
    checkSuperblock(superblock, expected, slotBytes, path, options.freshness);
    return new Region(path, size, writable, buffer, superblock);
  } catch (error) {
    nativeMmap().unmap(buffer);
    throw error;
  }
}

/**
 * Writes the superblock's activityTimestampNs with one 8-byte atomic store (§2.3 rule 3: the
 * producer refreshes it at announce cadence). `nowNs` is monotonic ns (u64).
 */
export function refreshActivity(region: MappedRegion, nowNs: bigint): void {
  if (region.closed) fail('STATE', `cannot refresh activity of ${JSON.stringify(region.path)}: the region is closed`);
  if (!region.writable) fail('STATE', `cannot refresh activity of ${JSON.stringify(region.path)}: mapped read-only`);
  if (nowNs < 0n || nowNs >= 1n << 64n) fail('STATE', `activity timestamp ${nowNs} is not a u64`);
  Atomics.store(region.words, ACTIVITY_WORD, BigInt.asIntN(64, nowNs));
}

/** Reads activityTimestampNs (8-byte atomic load) as a u64. */
export function readActivity(region: MappedRegion): bigint {
  return BigInt.asUintN(64, Atomics.load(region.words, ACTIVITY_WORD));
}
