/**
 * Epoch directories already on disk, and the next epoch (EPOCH-08 plus the restart guarantee):
 * epochs are strictly increasing per stream, also across driver restarts — a new epoch is never
 * equal to or below an epoch directory that exists, whatever the clock says (a reboot resets the
 * monotonic clock, but a persistent base dir keeps the old directories).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { streamDir } from './canonical-path.js';
import { errnoCode, ShmProvisionError } from './shm-errors.js';

const U64_MAX = (1n << 64n) - 1n;
const DECIMAL = /^[0-9]+$/;

export interface EpochDirEntry {
  /** Directory name as found (RI GC recognises `^[0-9]+$`, §9; leading zeros are kept in the name). */
  readonly name: string;
  readonly epoch: bigint;
  readonly path: string;
}

/** Parses a u64 directory name, or undefined (not `^[0-9]+$`, or above 2^64 − 1). */
export function parseEpochName(name: string): bigint | undefined {
  if (!DECIMAL.test(name)) return undefined;
  const value = BigInt(name);
  return value <= U64_MAX ? value : undefined;
}

/**
 * Real directories (no symlinks, no files) below `dir` whose names are decimal u64s, ascending.
 * A missing `dir`, or one that is itself a symlink or not a directory, has none.
 */
export function listNumericDirs(dir: string): EpochDirEntry[] {
  try {
    if (!lstatSync(dir).isDirectory()) return [];
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
  const out: EpochDirEntry[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue; // Dirent types come from lstat semantics: symlinks are not directories here.
    const epoch = parseEpochName(entry.name);
    if (epoch !== undefined) out.push({ name: entry.name, epoch, path: join(dir, entry.name) });
  }
  return out.sort((a, b) => (a.epoch < b.epoch ? -1 : a.epoch > b.epoch ? 1 : 0));
}

/** The epoch directories of a stream, ascending. */
export function listEpochDirs(nsDir: string, streamId: number): EpochDirEntry[] {
  return listNumericDirs(streamDir(nsDir, streamId));
}

/** Highest epoch directory of the stream on disk, 0n when none. */
export function highestEpochOnDisk(nsDir: string, streamId: number): bigint {
  const all = listEpochDirs(nsDir, streamId);
  return all.length === 0 ? 0n : (all[all.length - 1]?.epoch ?? 0n);
}

/**
 * EPOCH-08 with the on-disk floor: `max(1, previous + 1, nowNs, onDisk + 1)` where `previous` is
 * the stream's current epoch in this process (0n before the first provisioning) and `onDisk` is
 * `highestEpochOnDisk`. Throws on u64 overflow (EPOCH-06: wraparound is incompatible).
 */
export function nextEpoch(previous: bigint, nowNs: bigint, onDisk: bigint): bigint {
  let next = nowNs > 1n ? nowNs : 1n;
  if (previous + 1n > next) next = previous + 1n;
  if (onDisk + 1n > next) next = onDisk + 1n;
  if (next > U64_MAX) {
    throw new ShmProvisionError('epoch would exceed 2^64-1 (EPOCH-06); remove the stream\'s epoch directories and restart the driver');
  }
  return next;
}
