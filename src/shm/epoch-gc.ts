/**
 * Epoch directory GC (SHM_LAYOUT.md §12, DRIVER_RULES D11) that actually collects.
 *
 * Per stream, an epoch directory is removed only when all hold:
 *  1. it is older than `currentEpoch` (newer ones are never touched: they can only come from a
 *     concurrent writer or a clock oddity) and not `currentEpoch` itself;
 *  2. it is not among the newest `max(1, keep)` epochs counting `currentEpoch` as the first — i.e.
 *     current + the (keep − 1) newest older directories (spec "keep current + previous" for keep=2;
 *     RI uses the numeric window `epoch ≥ current − (keep − 1)`, which with nanosecond epochs
 *     protects only the current epoch);
 *  3. it is not in `inUse` (epochs an active lease references, §12.1);
 *  4. its age is known and ≥ `minAgeNs`;
 *  5. the pid in its header superblock is 0, this driver's own pid, or dead. The RI skips every
 *     epoch whose pid is alive, and since it writes its own pid, a running RI never collects its
 *     own epochs (D11). Here this driver's liveness is not evidence of use: `inUse` is. Another
 *     live pid (a previous driver still running, a foreign writer) still protects the epoch.
 *
 * Clocks (only comparisons between the same clock are valid):
 *  - `nowNs` and superblock `activityTimestampNs` / `startTimestampNs` are CLOCK_MONOTONIC ns of
 *    this boot (§2.1 RI), so `nowNs − activityTimestampNs` is a valid age when 0 < activity ≤ now.
 *  - Directory mtimes are wall-clock (CLOCK_REALTIME); they may only be compared with a wall-clock
 *    `wallNowMs`. Comparing them with monotonic `nowNs` is the RI bug noted in §12.2 (age ≈ 0).
 *  - Hence: header unreadable / bad magic / activity 0 / activity in the future (previous boot,
 *    persistent base dir) → age = wallNowMs − dir mtime when `wallNowMs` is given, else the age is
 *    unknown and the epoch is kept (never delete on a guess).
 */
import { lstatSync, readdirSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { epochDir, HEADER_FILE } from './canonical-path.js';
import { assertContained } from './containment.js';
import { listEpochDirs, listNumericDirs, type EpochDirEntry } from './epoch-floor.js';
import type { ProvisionedEpoch } from './provision-epoch.js';
import { errnoCode } from './shm-errors.js';
import type { ShmContext } from './shm-context.js';
import { readSuperblockFile } from './superblock-io.js';

export interface CollectEpochsRequest {
  readonly streamId: number;
  /** The stream's current epoch (0n when unknown: then the highest on disk counts as current). */
  readonly currentEpoch: bigint;
  /** Epochs referenced by an active lease or mapping: never removed. */
  readonly inUse: ReadonlySet<bigint>;
  /** Monotonic ns (same clock as superblock timestamps). */
  readonly nowNs: bigint;
  /** policies.epoch_gc_keep; values below 1 act as 1. */
  readonly keep: number;
  /** policies.epoch_gc_min_age_ns (0n during the free-space retry, §10.2). */
  readonly minAgeNs: bigint;
  /** Wall-clock ms (Date.now()), only for the directory-mtime fallback; absent → unknown ages keep the epoch. */
  readonly wallNowMs?: number;
}

export interface CollectEpochsResult {
  /** Ascending. */
  readonly removed: bigint[];
  /** Ascending: every numeric epoch directory that was not removed. */
  readonly kept: bigint[];
}

type Verdict = { readonly remove: true } | { readonly remove: false; readonly why: string };

function ageNs(entry: EpochDirEntry, req: CollectEpochsRequest): { age: bigint | undefined; pid: number } {
  const sb = readSuperblockFile(join(entry.path, HEADER_FILE));
  const pid = sb === undefined || sb.pid > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(sb.pid);
  if (sb !== undefined && sb.activityTimestampNs !== 0n && sb.activityTimestampNs <= req.nowNs) {
    return { age: req.nowNs - sb.activityTimestampNs, pid };
  }
  if (req.wallNowMs !== undefined) {
    const mtimeMs = lstatSync(entry.path).mtimeMs;
    const ms = req.wallNowMs - mtimeMs;
    return { age: ms <= 0 ? 0n : BigInt(Math.floor(ms)) * 1_000_000n, pid };
  }
  return { age: undefined, pid };
}

function judge(ctx: ShmContext, entry: EpochDirEntry, req: CollectEpochsRequest): Verdict {
  if (req.inUse.has(entry.epoch)) return { remove: false, why: 'in use' };
  const { age, pid } = ageNs(entry, req);
  if (age === undefined) return { remove: false, why: 'age unknown (no readable header superblock, no wallNowMs)' };
  if (age < req.minAgeNs) return { remove: false, why: `younger than min age (${age} < ${req.minAgeNs} ns)` };
  if (pid !== 0 && pid !== ctx.driverPid && ctx.isPidAlive(pid)) return { remove: false, why: `writer pid ${pid} is alive` };
  return { remove: true };
}

/** Removes one epoch directory after the containment check (§12.2 step 4, FS-01); rmSync does not follow symlinks inside. */
function removeEpochDir(ctx: ShmContext, path: string): void {
  assertContained(path, ctx.allowedBaseDirs);
  if (!lstatSync(path).isDirectory()) return;
  rmSync(path, { recursive: true, force: false });
}

/** §12 GC for one stream; see the module comment for the rules. Failures to remove are warned about and kept. */
export function collectEpochs(ctx: ShmContext, req: CollectEpochsRequest): CollectEpochsResult {
  const entries = listEpochDirs(ctx.nsDir, req.streamId); // ascending
  const removed: bigint[] = [];
  const kept: bigint[] = [];
  if (entries.length === 0) return { removed, kept };
  const last = entries[entries.length - 1];
  const current = req.currentEpoch !== 0n ? req.currentEpoch : (last?.epoch ?? 0n);
  const keep = Math.max(1, Math.floor(req.keep));
  // The window: current plus the (keep − 1) newest directories below it.
  let olderToKeep = keep - 1;
  const decisions = new Map<EpochDirEntry, boolean>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e === undefined) continue;
    if (e.epoch >= current) {
      decisions.set(e, false);
    } else if (olderToKeep > 0) {
      olderToKeep--;
      decisions.set(e, false);
    } else {
      decisions.set(e, judge(ctx, e, req).remove);
    }
  }
  for (const e of entries) {
    if (decisions.get(e) === true) {
      try {
        removeEpochDir(ctx, e.path);
        removed.push(e.epoch);
        continue;
      } catch (error) {
        ctx.warn(`epoch GC could not remove ${JSON.stringify(e.path)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    kept.push(e.epoch);
  }
  return { removed, kept };
}

export interface CollectStaleRequest {
  readonly nowNs: bigint;
  readonly keep: number;
  readonly minAgeNs: bigint;
  readonly wallNowMs?: number;
  /** Epochs in use per stream (at startup usually none). */
  readonly inUse?: (streamId: number) => ReadonlySet<bigint>;
}

const NONE: ReadonlySet<bigint> = new Set();

/**
 * Startup GC (policies.epoch_gc_on_startup, §12.2 step 5) over every stream directory of the
 * namespace — not only the configured static streams as in the RI, so that dynamic streams of a
 * previous run are collected too. The highest epoch on disk counts as current for each stream.
 */
export function collectStale(ctx: ShmContext, req: CollectStaleRequest): Map<number, CollectEpochsResult> {
  const out = new Map<number, CollectEpochsResult>();
  for (const s of listNumericDirs(ctx.nsDir)) {
    if (s.epoch > 0xffffffffn) continue; // not a u32 stream id
    const streamId = Number(s.epoch);
    if (s.name !== String(streamId)) continue; // only canonical names (streamDir never writes leading zeros)
    const base = { streamId, currentEpoch: 0n, inUse: req.inUse?.(streamId) ?? NONE, nowNs: req.nowNs, keep: req.keep, minAgeNs: req.minAgeNs };
    out.set(streamId, collectEpochs(ctx, req.wallNowMs === undefined ? base : { ...base, wallNowMs: req.wallNowMs }));
  }
  return out;
}

/** Unlinks `paths` (regular files only, containment-checked), then rmdir()s `dir` if that left it empty. */
function removeFilesThenDir(ctx: ShmContext, dir: string, paths: readonly string[], removed: string[]): void {
  for (const path of paths) {
    try {
      assertContained(path, ctx.allowedBaseDirs);
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      ctx.warn(`cleanup_shm_on_exit could not remove ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    assertContained(dir, ctx.allowedBaseDirs);
    rmdirSync(dir);
    removed.push(dir);
  } catch {
    /* not empty, gone, or not ours to remove */
  }
}

/**
 * policies.cleanup_shm_on_exit: deletes the header and pool files of each given (current) epoch —
 * files only, inside allowed dirs, as the RI does (§12.2) — then the epoch directory if that left
 * it empty. Returns the paths removed. Errors are warned about, never thrown (this runs on exit).
 */
export function removeCurrentEpochs(ctx: ShmContext, epochs: Iterable<ProvisionedEpoch>): string[] {
  const removed: string[] = [];
  for (const e of epochs) removeFilesThenDir(ctx, e.dir, [e.header.path, ...e.pools.map((p) => p.path)], removed);
  return removed;
}

const REGION_FILE = /^(?:header\.ring|[0-9]+\.pool)$/;

/**
 * Like removeCurrentEpochs for one epoch known only by stream id and epoch: removes the region
 * files of the canonical epoch directory (`header.ring`, `<pool_id>.pool`; nothing else), then the
 * directory if empty. Returns the paths removed.
 */
export function removeEpoch(ctx: ShmContext, streamId: number, epoch: bigint): string[] {
  const dir = epochDir(ctx.nsDir, streamId, epoch);
  const removed: string[] = [];
  let names: string[];
  try {
    assertContained(dir, ctx.allowedBaseDirs);
    names = readdirSync(dir).filter((n) => REGION_FILE.test(n));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') ctx.warn(`cleanup_shm_on_exit could not read ${JSON.stringify(dir)}: ${error instanceof Error ? error.message : String(error)}`);
    return removed;
  }
  removeFilesThenDir(ctx, dir, names.map((n) => join(dir, n)), removed);
  return removed;
}
