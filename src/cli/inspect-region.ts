/**
 * Reads a region file (SHM_LAYOUT.md §2–§3) without writing or mapping it: the superblock and,
 * for a header ring, the first slots through the SlotHeader and TensorHeader codecs. Opened
 * read-only with O_NOFOLLOW and checked to be a regular file (§10.2 step 5: devices, FIFOs and
 * sockets are never regions, and reading a FIFO could block forever).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import {
  dtypeName,
  majorOrderName,
  progressUnitName,
  regionTypeName,
  RegionType,
  SlotHeaderDecoder,
  TensorHeaderDecoder,
} from '../sbe/index.js';
import { decodeSuperblock, HEADER_SLOT_BYTES, SUPERBLOCK_MAGIC, SUPERBLOCK_SIZE } from '../shm/superblock-io.js';
import { TensorpoolError } from '../errors.js';

export interface InspectedSlot {
  readonly index: number;
  readonly seqCommit: string;
  /** seqCommit >> 1 when committed (LSB 1, §5.5), else null. */
  readonly committedSeq: string | null;
  readonly state: 'EMPTY' | 'WRITING' | 'COMMITTED';
  readonly valuesLenBytes: number;
  readonly payloadSlot: number;
  readonly poolId: number;
  readonly payloadOffset: number;
  readonly timestampNs: string;
  readonly metaVersion: number;
  readonly headerBytesLength: number;
  readonly tensor:
    | { readonly dtype: string; readonly majorOrder: string; readonly dims: number[]; readonly strides: number[]; readonly progressUnit: string; readonly progressStrideBytes: number }
    | { readonly error: string }
    | null;
}

export interface InspectedRegion {
  readonly path: string;
  readonly fileBytes: number;
  readonly superblock: {
    readonly magic: string;
    readonly magicOk: boolean;
    readonly layoutVersion: number;
    readonly regionType: string;
    readonly streamId: number;
    readonly epoch: string;
    readonly poolId: number;
    readonly nslots: number;
    readonly slotBytes: number;
    readonly strideBytes: number;
    readonly pid: string;
    readonly startTimestampNs: string;
    readonly activityTimestampNs: string;
  };
  /** 64 + nslots × slot size: what a reader maps (§7.1 rule 6). */
  readonly expectedBytes: number;
  readonly slots: readonly InspectedSlot[];
}

export class InspectError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_CLI_INSPECT', message);
  }
}

function readAt(fd: number, bytes: Uint8Array, position: number): number {
  let got = 0;
  while (got < bytes.length) {
    const n = readSync(fd, bytes, got, bytes.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

const name = (n: string | undefined, value: number): string => n ?? `UNKNOWN(${value})`;

function inspectSlot(index: number, bytes: Uint8Array): InspectedSlot {
  const s = new SlotHeaderDecoder().wrap(bytes);
  const seq = s.seqCommit();
  const state = seq === 0n ? 'EMPTY' : (seq & 1n) === 1n ? 'COMMITTED' : 'WRITING';
  let tensor: InspectedSlot['tensor'] = null;
  if (state !== 'EMPTY') {
    try {
      const t = new TensorHeaderDecoder().wrap(bytes, s.headerBytesOffset(), s.headerBytesLength());
      const nd = Math.min(t.ndims(), 8);
      tensor = {
        dtype: name(dtypeName(t.dtype()), t.dtype()),
        majorOrder: name(majorOrderName(t.majorOrder()), t.majorOrder()),
        dims: Array.from({ length: nd }, (_, i) => t.dims(i)),
        strides: Array.from({ length: nd }, (_, i) => t.strides(i)),
        progressUnit: name(progressUnitName(t.progressUnit()), t.progressUnit()),
        progressStrideBytes: t.progressStrideBytes(),
      };
    } catch (e) {
      tensor = { error: (e as Error).message };
    }
  }
  return {
    index,
    seqCommit: seq.toString(10),
    committedSeq: state === 'COMMITTED' ? (seq >> 1n).toString(10) : null,
    state,
    valuesLenBytes: s.valuesLenBytes(),
    payloadSlot: s.payloadSlot(),
    poolId: s.poolId(),
    payloadOffset: s.payloadOffset(),
    timestampNs: s.timestampNs().toString(10),
    metaVersion: s.metaVersion(),
    headerBytesLength: s.headerBytesLength(),
    tensor,
  };
}

/** Decodes the superblock and (header rings only) up to `slots` header slots. Throws InspectError. */
export function inspectRegion(path: string, slots = 0): InspectedRegion {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new InspectError(code === 'ELOOP' ? `${path} is a symlink; inspect the file it names instead` : `cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InspectError(`${path} is not a regular file; region files are regular files (SHM_LAYOUT §10.2)`);
    const head = new Uint8Array(SUPERBLOCK_SIZE);
    if (readAt(fd, head, 0) < SUPERBLOCK_SIZE) throw new InspectError(`${path} is ${st.size} bytes, shorter than a ${SUPERBLOCK_SIZE}-byte superblock`);
    const sb = decodeSuperblock(head);
    const isHeader = sb.regionType === RegionType.HEADER_RING;
    const slotSize = isHeader ? HEADER_SLOT_BYTES : sb.strideBytes;
    const region: InspectedRegion = {
      path,
      fileBytes: st.size,
      superblock: {
        magic: `0x${sb.magic.toString(16).padStart(16, '0')}`,
        magicOk: sb.magic === SUPERBLOCK_MAGIC,
        layoutVersion: sb.layoutVersion,
        regionType: name(regionTypeName(sb.regionType), sb.regionType),
        streamId: sb.streamId,
        epoch: sb.epoch.toString(10),
        poolId: sb.poolId,
        nslots: sb.nslots,
        slotBytes: sb.slotBytes,
        strideBytes: sb.strideBytes,
        pid: sb.pid.toString(10),
        startTimestampNs: sb.startTimestampNs.toString(10),
        activityTimestampNs: sb.activityTimestampNs.toString(10),
      },
      expectedBytes: SUPERBLOCK_SIZE + sb.nslots * slotSize,
      slots: [],
    };
    if (!region.superblock.magicOk) throw new InspectError(`${path} is not a tensorpool region: magic ${region.superblock.magic}, expected 0x${SUPERBLOCK_MAGIC.toString(16)}`);
    if (slots > 0 && !isHeader) throw new InspectError(`--slots applies to header rings (header.ring); ${path} is a ${region.superblock.regionType}`);
    const found: InspectedSlot[] = [];
    const n = Math.min(slots, sb.nslots);
    const bytes = new Uint8Array(HEADER_SLOT_BYTES);
    for (let i = 0; i < n; i++) {
      if (readAt(fd, bytes, SUPERBLOCK_SIZE + i * HEADER_SLOT_BYTES) < HEADER_SLOT_BYTES) break;
      found.push(inspectSlot(i, bytes));
    }
    return { ...region, slots: found };
  } finally {
    closeSync(fd);
  }
}
