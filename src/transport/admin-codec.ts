/**
 * The "tensorpool admin" schema (id 0x7470 = 29808, version 1): tensorpool's own status query,
 * carried on the control plane next to the driver (901) and wire (900) schemas. Hand-written:
 * two tiny messages, both with the standard 8-byte SBE message header (docs/TRANSPORT.md §5).
 *
 *   template 1 StatusRequest  block 8: correlationId i64
 *   template 2 StatusResponse block 8: correlationId i64; varData document (u32 length + UTF-8 JSON)
 *
 * The driver never sees these frames: the socket server answers them from `Driver.snapshot()`.
 */
import { MESSAGE_HEADER_LENGTH, writeMessageHeader } from '../sbe/index.js';
import { MAX_FRAME_BYTES } from './length-prefix-framing.js';
import { TransportError, TransportErrorCode } from './transport-error.js';

export const ADMIN_SCHEMA_ID = 0x7470;
export const ADMIN_SCHEMA_VERSION = 1;
export const STATUS_REQUEST_TEMPLATE_ID = 1;
export const STATUS_RESPONSE_TEMPLATE_ID = 2;
const BLOCK_LENGTH = 8;
const VAR_LENGTH_BYTES = 4;
export const STATUS_REQUEST_LENGTH = MESSAGE_HEADER_LENGTH + BLOCK_LENGTH;
/** The largest JSON document one StatusResponse frame can carry. */
export const MAX_STATUS_DOCUMENT_BYTES = MAX_FRAME_BYTES - MESSAGE_HEADER_LENGTH - BLOCK_LENGTH - VAR_LENGTH_BYTES;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Whether the message at `offset` belongs to the admin schema (at least a header's worth of bytes). */
export function isAdminMessage(buffer: Uint8Array, offset: number, length: number): boolean {
  return length >= MESSAGE_HEADER_LENGTH && ((buffer[offset + 4] as number) | ((buffer[offset + 5] as number) << 8)) === ADMIN_SCHEMA_ID;
}

export function encodeStatusRequest(correlationId: bigint): Uint8Array {
  const b = new Uint8Array(STATUS_REQUEST_LENGTH);
  const v = view(b);
  writeMessageHeader(v, 0, BLOCK_LENGTH, STATUS_REQUEST_TEMPLATE_ID, ADMIN_SCHEMA_ID, ADMIN_SCHEMA_VERSION);
  v.setBigInt64(MESSAGE_HEADER_LENGTH, correlationId, true);
  return b;
}

export type AdminRequest = { readonly kind: 'status'; readonly correlationId: bigint } | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Decodes an admin request (the caller checked `isAdminMessage`). Newer versions are accepted as
 * SBE allows (a longer block is skipped by its blockLength); a shorter block or another template
 * is `invalid`.
 */
export function decodeAdminRequest(buffer: Uint8Array, offset: number, length: number): AdminRequest {
  const v = new DataView(buffer.buffer, buffer.byteOffset + offset, length);
  const blockLength = v.getUint16(0, true);
  const template = v.getUint16(2, true);
  if (template !== STATUS_REQUEST_TEMPLATE_ID) return { kind: 'invalid', reason: `unknown admin template ${template}` };
  if (blockLength < BLOCK_LENGTH || length < MESSAGE_HEADER_LENGTH + blockLength) {
    return { kind: 'invalid', reason: 'truncated StatusRequest' };
  }
  return { kind: 'status', correlationId: v.getBigInt64(MESSAGE_HEADER_LENGTH, true) };
}

/** Encodes a StatusResponse; `json` must fit MAX_STATUS_DOCUMENT_BYTES (see status-document.ts). */
export function encodeStatusResponse(correlationId: bigint, json: string): Uint8Array {
  const body = Buffer.from(json, 'utf8');
  if (body.length > MAX_STATUS_DOCUMENT_BYTES) {
    throw new RangeError(`status document of ${body.length} bytes exceeds ${MAX_STATUS_DOCUMENT_BYTES}`);
  }
  const b = new Uint8Array(MESSAGE_HEADER_LENGTH + BLOCK_LENGTH + VAR_LENGTH_BYTES + body.length);
  const v = view(b);
  writeMessageHeader(v, 0, BLOCK_LENGTH, STATUS_RESPONSE_TEMPLATE_ID, ADMIN_SCHEMA_ID, ADMIN_SCHEMA_VERSION);
  v.setBigInt64(MESSAGE_HEADER_LENGTH, correlationId, true);
  v.setUint32(MESSAGE_HEADER_LENGTH + BLOCK_LENGTH, body.length, true);
  b.set(body, MESSAGE_HEADER_LENGTH + BLOCK_LENGTH + VAR_LENGTH_BYTES);
  return b;
}

export interface StatusResponse {
  readonly correlationId: bigint;
  /** The JSON document text (parse with JSON.parse; see StatusDocument). */
  readonly document: string;
}

/** Decodes a StatusResponse, or returns null for any other message; throws on a malformed one. */
export function decodeStatusResponse(frame: Uint8Array): StatusResponse | null {
  if (!isAdminMessage(frame, 0, frame.length)) return null;
  const v = view(frame);
  if (v.getUint16(2, true) !== STATUS_RESPONSE_TEMPLATE_ID) return null;
  const bad = (why: string): never => {
    throw new TransportError(TransportErrorCode.BAD_RESPONSE, `malformed StatusResponse: ${why}`);
  };
  const blockLength = v.getUint16(0, true);
  if (blockLength < BLOCK_LENGTH) bad(`blockLength ${blockLength} < ${BLOCK_LENGTH}`);
  const varAt = MESSAGE_HEADER_LENGTH + blockLength;
  if (frame.length < varAt + VAR_LENGTH_BYTES) bad('truncated');
  const n = v.getUint32(varAt, true);
  if (frame.length < varAt + VAR_LENGTH_BYTES + n) bad('document runs past the end of the message');
  let document = '';
  try {
    document = utf8.decode(frame.subarray(varAt + VAR_LENGTH_BYTES, varAt + VAR_LENGTH_BYTES + n));
  } catch (e) {
    bad(`document is not UTF-8 (${(e as Error).message})`);
  }
  return { correlationId: v.getBigInt64(MESSAGE_HEADER_LENGTH, true), document };
}
