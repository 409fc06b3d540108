/**
 * The data plane's seqlock core (issue 6): a producer (`FrameWriter`) and a consumer
 * (`FrameReader`) of frames in a header ring and payload pools, over byte/word views someone else
 * mapped (SharedArrayBuffer in tests, the shm mapping in production). See docs/data/README.md.
 */
export { DataError, DATA_BAD_ARGUMENT, DATA_BAD_GEOMETRY, DATA_BAD_TENSOR, DATA_CLAIM_STATE } from './data-error.js';
export { DTYPE_NAMES, dtypeElementSize, dtypeFromName, dtypeOfArray, dtypeToName, type DtypeName, type FrameData } from './dtypes.js';
export { crc32, crc32Hex } from './crc32.js';
export { fillPattern, patternByte, verifyPattern } from './verification-pattern.js';
export {
  HEADER_SLOT_BYTES,
  MAX_DIMS,
  SUPERBLOCK_BYTES,
  headerSlotOffset,
  slotOf,
  type FrameRing,
  type PoolRegion,
  type RegionBuffers,
} from './ring-geometry.js';
export { MAX_SEQ, type AtomicWordMode } from './seq-commit.js';
export { effectiveStrides } from './stride-check.js';
export type { Frame } from './frame.js';
export { FrameReader, type FrameReaderOptions } from './frame-reader.js';
export { FrameWriter, type FrameWriterOptions, type PublishLayout, type SlotClaim, type TensorLayout } from './frame-writer.js';
