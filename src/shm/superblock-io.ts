/**
 * Writing and reading region superblocks (SHM_LAYOUT.md §2) through the generated SBE codec, so
 * the byte layout has exactly one definition (src/sbe/wire/shm-region-superblock.ts).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { RegionType } from '../sbe/wire/region-type.js';
import { ShmRegionSuperblockDecoder, ShmRegionSuperblockEncoder } from '../sbe/wire/shm-region-superblock.js';

/** The u64 value (not the "TPOLSHM1" string of the Wire spec, §2.2); bytes on disk "1MHSLPOT". */
export const SUPERBLOCK_MAGIC = 0x544f504c53484d31n;
/** §1: constant, never derived from schema metadata. */
export const SUPERBLOCK_SIZE = 64;
/** §3.1: fixed for layout version 1. */
export const HEADER_SLOT_BYTES = 256;
/** §2.3 rule 2: the RI value. */
export const LAYOUT_VERSION = 1;

export interface SuperblockFields {
  readonly epoch: bigint;
  readonly streamId: number;
  readonly regionType: RegionType;
  /** Must be 0 for the header ring (§2.1). */
  readonly poolId: number;
  readonly nslots: number;
  readonly slotBytes: number;
  readonly strideBytes: number;
  readonly pid: number;
  readonly startTimestampNs: bigint;
  readonly activityTimestampNs: bigint;
}

/** Encodes the 64 superblock bytes: magic and layoutVersion 1 fixed, everything else from `fields`. */
export function encodeSuperblock(fields: SuperblockFields): Uint8Array {
  const bytes = new Uint8Array(SUPERBLOCK_SIZE);
  new ShmRegionSuperblockEncoder()
    .wrap(bytes)
    .magic(SUPERBLOCK_MAGIC)
    .layoutVersion(LAYOUT_VERSION)
    .epoch(fields.epoch)
    .streamId(fields.streamId)
    .regionType(fields.regionType)
    .poolId(fields.poolId)
    .nslots(fields.nslots)
    .slotBytes(fields.slotBytes)
    .strideBytes(fields.strideBytes)
    .pidNumber(fields.pid)
    .startTimestampNs(fields.startTimestampNs)
    .activityTimestampNs(fields.activityTimestampNs);
  return bytes;
}

export interface SuperblockSnapshot {
  readonly magic: bigint;
  readonly layoutVersion: number;
  readonly epoch: bigint;
  readonly streamId: number;
  readonly regionType: number;
  readonly poolId: number;
  readonly nslots: number;
  readonly slotBytes: number;
  readonly strideBytes: number;
  readonly pid: bigint;
  readonly startTimestampNs: bigint;
  readonly activityTimestampNs: bigint;
}

export function decodeSuperblock(bytes: Uint8Array): SuperblockSnapshot {
  const d = new ShmRegionSuperblockDecoder().wrap(bytes);
  return {
    magic: d.magic(),
    layoutVersion: d.layoutVersion(),
    epoch: d.epoch(),
    streamId: d.streamId(),
    regionType: d.regionType(),
    poolId: d.poolId(),
    nslots: d.nslots(),
    slotBytes: d.slotBytes(),
    strideBytes: d.strideBytes(),
    pid: d.pid(),
    startTimestampNs: d.startTimestampNs(),
    activityTimestampNs: d.activityTimestampNs(),
  };
}

/**
 * Reads the superblock of a regular file without following a symlink at `path`; undefined when
 * the file is missing, not regular, shorter than 64 bytes, unreadable or has the wrong magic.
 */
export function readSuperblockFile(path: string): SuperblockSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const bytes = new Uint8Array(SUPERBLOCK_SIZE);
    let got = 0;
    while (got < SUPERBLOCK_SIZE) {
      const n = readSync(fd, bytes, got, SUPERBLOCK_SIZE - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    const sb = decodeSuperblock(bytes);
    return sb.magic === SUPERBLOCK_MAGIC ? sb : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
