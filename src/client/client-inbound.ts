/**
 * Decodes what the driver sends a client into plain values, so that the engine decides on
 * meanings, not bytes. Malformed messages become `malformed` (SCHEMA-01/03); an OK attach response
 * is validated here (CLIENT-01..05) and revoke notices with undefined enums are refused
 * (REVOKE-05). Control messages are rare, so allocating a small result each is fine.
 */
import {
  DRIVER_SCHEMA_ID,
  MessageHeaderDecoder,
  ResponseCode,
  SbeDecodeError,
  ShmAttachResponseDecoder,
  ShmDetachResponseDecoder,
  ShmDriverShutdownDecoder,
  ShmLeaseRevokedDecoder,
  WIRE_SCHEMA_ID,
  isLeaseRevokeReason,
  isRole,
  leaseRevokeReasonName,
  roleName,
} from '../sbe/index.js';
import { checkAttachResponse, type AttachGrant } from './attach-response-check.js';
import { ClientProtocolError } from './client-errors.js';
import type { LeaseRole } from './client-types.js';

export type RevokeReasonName = 'DETACHED' | 'EXPIRED' | 'REVOKED';

export type Inbound =
  | { readonly kind: 'attach-ok'; readonly cid: bigint; readonly grant: AttachGrant }
  /** code OK but the grant failed CLIENT-01..05; leaseId/streamId as far as present. */
  | { readonly kind: 'attach-invalid'; readonly cid: bigint; readonly error: ClientProtocolError; readonly leaseId: bigint | null; readonly streamId: number | null }
  | { readonly kind: 'attach-error'; readonly cid: bigint; readonly code: number; readonly message: string }
  | { readonly kind: 'detach-response'; readonly cid: bigint }
  | { readonly kind: 'shutdown'; readonly reason: number; readonly message: string }
  | { readonly kind: 'revoked'; readonly leaseId: bigint; readonly streamId: number; readonly role: LeaseRole; readonly reason: RevokeReasonName }
  | { readonly kind: 'announce' }
  /** A FrameDescriptor relayed by the driver (issue 6 wake-up path): handed on undecoded. */
  | { readonly kind: 'descriptor' }
  /** Undecodable; `attachCid` is the correlationId of a broken attach response when readable. */
  | { readonly kind: 'malformed'; readonly error: ClientProtocolError; readonly attachCid: bigint | null }
  | { readonly kind: 'unknown' };

const UNKNOWN: Inbound = { kind: 'unknown' };
const ANNOUNCE: Inbound = { kind: 'announce' };
const DESCRIPTOR: Inbound = { kind: 'descriptor' };

export class InboundDecoder {
  private readonly header = new MessageHeaderDecoder();
  private readonly attach = new ShmAttachResponseDecoder();
  private readonly detach = new ShmDetachResponseDecoder();
  private readonly revoked = new ShmLeaseRevokedDecoder();
  private readonly shutdown = new ShmDriverShutdownDecoder();

  decode(frame: Uint8Array): Inbound {
    let schema: number;
    let template: number;
    try {
      const h = this.header.wrap(frame);
      schema = h.schemaId();
      template = h.templateId();
    } catch (err) {
      return { kind: 'malformed', error: new ClientProtocolError('SCHEMA-03', `undecodable frame: ${errorText(err)}`, { cause: err }), attachCid: null };
    }
    try {
      if (schema === WIRE_SCHEMA_ID) return template === 1 ? ANNOUNCE : template === 4 ? DESCRIPTOR : UNKNOWN;
      if (schema !== DRIVER_SCHEMA_ID) return UNKNOWN;
      switch (template) {
        case 2:
          return this.attachResponse(frame);
        case 4:
          return { kind: 'detach-response', cid: this.detach.wrap(frame).correlationId() };
        case 6: {
          const s = this.shutdown.wrap(frame);
          return { kind: 'shutdown', reason: s.reason(), message: s.errorMessage() };
        }
        case 7:
          return this.revokeNotice(frame);
        default:
          return UNKNOWN;
      }
    } catch (err) {
      if (!(err instanceof SbeDecodeError)) throw err;
      const error = new ClientProtocolError('SCHEMA-01', `malformed driver message ${schema}/${template}: ${err.message}`, { cause: err });
      // The correlationId is the first field of the block: readable even when the rest is not.
      const attachCid = template === 2 && frame.length >= 16 ? new DataView(frame.buffer, frame.byteOffset + 8, 8).getBigInt64(0, true) : null;
      return { kind: 'malformed', error, attachCid };
    }
  }

  private attachResponse(frame: Uint8Array): Inbound {
    const r = this.attach.wrap(frame);
    const cid = r.correlationId();
    const code = r.code();
    if (code !== ResponseCode.OK) return { kind: 'attach-error', cid, code, message: r.errorMessage() };
    try {
      return { kind: 'attach-ok', cid, grant: checkAttachResponse(r) };
    } catch (err) {
      if (!(err instanceof ClientProtocolError)) throw err;
      return { kind: 'attach-invalid', cid, error: err, leaseId: r.leaseId(), streamId: r.streamId() };
    }
  }

  private revokeNotice(frame: Uint8Array): Inbound {
    const r = this.revoked.wrap(frame);
    const reason = r.reason();
    const role = r.role();
    // REVOKE-05: a notice with an unknown reason or role is rejected.
    if (!isLeaseRevokeReason(reason) || !isRole(role)) {
      return { kind: 'malformed', error: new ClientProtocolError('REVOKE-05', `ShmLeaseRevoked with unknown reason ${reason} or role ${role}`), attachCid: null };
    }
    return {
      kind: 'revoked',
      leaseId: r.leaseId(),
      streamId: r.streamId(),
      role: roleName(role) === 'PRODUCER' ? 'producer' : 'consumer',
      reason: leaseRevokeReasonName(reason) as RevokeReasonName,
    };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
