/**
 * Repeating-group dimension (`groupSizeEncoding`, PROTOCOL.md §1.3): u16 entry blockLength (the
 * sender's), u16 numInGroup. Decoders step entries by the sender's blockLength (§1.6 rule 7).
 */
import { requireBytes, requireCapacity } from './buffer-window.js';
import { SbeDecodeError, SbeDecodeErrorCode, SbeEncodeError, SbeEncodeErrorCode } from './sbe-error.js';
import { varDataEnd } from './var-data.js';

export const GROUP_DIMENSION_SIZE = 4;
/** Largest count an encoder writes; 65535 is the u16 null (§1.3). */
export const GROUP_MAX_COUNT = 65534;

/** Reads and checks the entry blockLength of the group at `pos` (needs `minBlockLength`). */
export function groupBlockLength(view: DataView, pos: number, end: number, minBlockLength: number,
  what: string): number {
  requireBytes(pos, GROUP_DIMENSION_SIZE, end, what);
  const blockLength = view.getUint16(pos, true);
  if (blockLength < minBlockLength) entryBlockTooShort(blockLength, pos, minBlockLength, what);
  return blockLength;
}

function entryBlockTooShort(blockLength: number, pos: number, minBlockLength: number, what: string): never {
  throw new SbeDecodeError(SbeDecodeErrorCode.BLOCK_LENGTH_TOO_SHORT,
    `${what}: entry blockLength ${blockLength} at offset ${pos} is below the ${minBlockLength} bytes ` +
    'its fields need; the message is corrupt, drop it', pos);
}

/**
 * Bounds-checks a whole group (dimension, every entry block and every entry var-data field) and
 * returns the offset just past it. Terminates: at most 65535 entries, each checked against `end`.
 */
export function groupEnd(view: DataView, pos: number, end: number, minBlockLength: number,
  varFields: number, what: string): number {
  const blockLength = groupBlockLength(view, pos, end, minBlockLength, what);
  const count = view.getUint16(pos + 2, true);
  let p = pos + GROUP_DIMENSION_SIZE;
  for (let i = 0; i < count; i++) {
    requireBytes(p, blockLength, end, what);
    p += blockLength;
    for (let v = 0; v < varFields; v++) p = varDataEnd(view, p, end, what);
  }
  return p;
}

function groupTooLarge(count: number, what: string): never {
  throw new SbeEncodeError(SbeEncodeErrorCode.GROUP_TOO_LARGE,
    `${what}: count ${count} is not an integer in 0..${GROUP_MAX_COUNT}; split the data over several messages`);
}

/** Writes a group dimension; returns the offset of the first entry. */
export function writeGroupDimension(view: DataView, pos: number, end: number, blockLength: number,
  count: number, what: string): number {
  if ((count & 0xffff) !== count || count > GROUP_MAX_COUNT) groupTooLarge(count, what);
  requireCapacity(pos, GROUP_DIMENSION_SIZE, end, what);
  view.setUint16(pos, blockLength, true);
  view.setUint16(pos + 2, count, true);
  return pos + GROUP_DIMENSION_SIZE;
}
