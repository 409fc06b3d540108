/**
 * The 8-byte `messageHeader` composite shared by both schemas (PROTOCOL.md §1.2):
 * u16 blockLength, u16 templateId, u16 schemaId, u16 version, little-endian.
 */
import { decodeWindowEnd, encodeWindowEnd, requireBytes, requireCapacity, truncated, viewOf } from './buffer-window.js';
import { SbeDecodeError, SbeDecodeErrorCode } from './sbe-error.js';
import { checkU16 } from './value-checks.js';

export const MESSAGE_HEADER_LENGTH = 8;

/**
 * Checks the header at `offset` for the expected schema/template, a supported version and a
 * blockLength that holds every required root field (§1.6 rules 1–4, 6, 9), then that the root block
 * fits. Returns the sender's blockLength. (Two u32 reads and one branch on the hot path, kept small so
 * V8 can inline it; the diagnosis is in the cold `headerError`.)
 */
export function checkMessageHeader(view: DataView, offset: number, end: number, schemaId: number,
  templateId: number, maxVersion: number, minBlockLength: number, what: string): number {
  const block = offset + MESSAGE_HEADER_LENGTH;
  if (block <= end) {
    const w0 = view.getUint32(offset, true); // blockLength | templateId << 16
    const w1 = view.getUint32(offset + 4, true); // schemaId | version << 16
    const blockLength = w0 & 0xffff;
    if (w0 >>> 16 === templateId && (w1 & 0xffff) === schemaId && w1 >>> 16 <= maxVersion &&
        blockLength >= minBlockLength && block + blockLength <= end) {
      return blockLength;
    }
  }
  return headerError(view, offset, end, schemaId, templateId, maxVersion, minBlockLength, what);
}

function headerError(view: DataView, offset: number, end: number, schemaId: number, templateId: number,
  maxVersion: number, minBlockLength: number, what: string): never {
  requireBytes(offset, MESSAGE_HEADER_LENGTH, end, what);
  const sid = view.getUint16(offset + 4, true);
  if (sid !== schemaId) {
    throw new SbeDecodeError(SbeDecodeErrorCode.SCHEMA_MISMATCH,
      `${what}: schemaId ${sid} at offset ${offset + 4} is not ${schemaId}; dispatch on schemaId first`, offset + 4);
  }
  const tid = view.getUint16(offset + 2, true);
  if (tid !== templateId) {
    throw new SbeDecodeError(SbeDecodeErrorCode.TEMPLATE_MISMATCH,
      `${what}: templateId ${tid} at offset ${offset + 2} is not ${templateId}; dispatch on templateId`, offset + 2);
  }
  const version = view.getUint16(offset + 6, true);
  if (version > maxVersion) {
    throw new SbeDecodeError(SbeDecodeErrorCode.UNSUPPORTED_VERSION,
      `${what}: schema version ${version} is newer than the supported ${maxVersion}; reject the message`,
      offset + 6);
  }
  const blockLength = view.getUint16(offset, true);
  if (blockLength < minBlockLength) {
    throw new SbeDecodeError(SbeDecodeErrorCode.BLOCK_LENGTH_TOO_SHORT,
      `${what}: blockLength ${blockLength} is below the ${minBlockLength} bytes its required fields need; ` +
      'the sender is broken, drop the message', offset);
  }
  return truncated(offset + MESSAGE_HEADER_LENGTH, blockLength, end, what);
}

/** Writes a header at `offset` (capacity already checked by the caller). */
export function writeMessageHeader(view: DataView, offset: number, blockLength: number, templateId: number,
  schemaId: number, version: number): void {
  // Two little-endian u32 words: blockLength | templateId << 16, schemaId | version << 16.
  view.setUint32(offset, blockLength | (templateId << 16), true);
  view.setUint32(offset + 4, schemaId | (version << 16), true);
}

/**
 * Reads any message header, e.g. to dispatch on `schemaId` then `templateId` before choosing a
 * message decoder (§1.6 rule 2). Reusable: `wrap` allocates nothing when given the same buffer.
 */
export class MessageHeaderDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = viewOf(this.buf);
  private offset = 0;

  /** Wraps the 8 header bytes at `offset`; throws `TP_ERR_SBE_TRUNCATED` if fewer remain. */
  wrap(buffer: Uint8Array, offset = 0, length: number = buffer.length - offset): this {
    const end = decodeWindowEnd(buffer, offset, length, 'MessageHeader');
    requireBytes(offset, MESSAGE_HEADER_LENGTH, end, 'MessageHeader');
    if (buffer !== this.buf) {
      this.buf = buffer;
      this.view = viewOf(buffer);
    }
    this.offset = offset;
    return this;
  }

  blockLength(): number {
    return this.view.getUint16(this.offset, true);
  }

  templateId(): number {
    return this.view.getUint16(this.offset + 2, true);
  }

  schemaId(): number {
    return this.view.getUint16(this.offset + 4, true);
  }

  version(): number {
    return this.view.getUint16(this.offset + 6, true);
  }
}

/** Writes a message header; message encoders do this themselves in `wrapAndApplyHeader`. */
export class MessageHeaderEncoder {
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = viewOf(this.buf);
  private offset = 0;

  wrap(buffer: Uint8Array, offset = 0, capacity: number = buffer.length - offset): this {
    const end = encodeWindowEnd(buffer, offset, capacity, 'MessageHeader');
    requireCapacity(offset, MESSAGE_HEADER_LENGTH, end, 'MessageHeader');
    if (buffer !== this.buf) {
      this.buf = buffer;
      this.view = viewOf(buffer);
    }
    this.offset = offset;
    return this;
  }

  blockLength(v: number): this {
    this.view.setUint16(this.offset, checkU16(v, 'MessageHeader.blockLength'), true);
    return this;
  }

  templateId(v: number): this {
    this.view.setUint16(this.offset + 2, checkU16(v, 'MessageHeader.templateId'), true);
    return this;
  }

  schemaId(v: number): this {
    this.view.setUint16(this.offset + 4, checkU16(v, 'MessageHeader.schemaId'), true);
    return this;
  }

  version(v: number): this {
    this.view.setUint16(this.offset + 6, checkU16(v, 'MessageHeader.version'), true);
    return this;
  }
}
