/**
 * Client → driver requests as standalone SBE frames (schema 901, PROTOCOL.md §2), for tests that
 * speak to a driver process over a raw connection (`Observer.conn.send`) with values no
 * DriverClient would send: another client's lease, wrong tokens, huge var-data.
 */
import {
  HugepagesPolicy,
  PublishMode,
  Role,
  ShmAttachRequestEncoder,
  ShmDetachRequestEncoder,
  ShmDriverShutdownRequestEncoder,
  ShmLeaseKeepaliveEncoder,
  ShutdownReason,
} from '../../src/sbe/index.js';
import type { Observed, Observer } from '../system/system-harness.js';

/** One frame's worth: the transport's 64 KiB limit (TRANSPORT.md §2). */
const MAX_FRAME = 64 * 1024;

export type RoleName = 'producer' | 'consumer';

const roleOf = (r: RoleName): Role => (r === 'producer' ? Role.PRODUCER : Role.CONSUMER);

function finish(buf: Uint8Array, length: number): Uint8Array {
  return buf.slice(0, length);
}

export interface AttachRequest {
  readonly correlationId: bigint;
  readonly streamId: number;
  readonly clientId: number;
  readonly role: RoleName;
  /** Default null (REQUIRE_EXISTING at the driver, ATTACH-10). */
  readonly publishMode?: PublishMode | null;
}

export function attachRequest(a: AttachRequest): Uint8Array {
  const buf = new Uint8Array(256);
  const e = new ShmAttachRequestEncoder()
    .wrapAndApplyHeader(buf)
    .correlationId(a.correlationId)
    .streamId(a.streamId)
    .clientId(a.clientId)
    .role(roleOf(a.role))
    .expectedLayoutVersion(0)
    .publishMode(a.publishMode ?? null)
    .requireHugepages(HugepagesPolicy.UNSPECIFIED)
    .desiredNodeId(null);
  return finish(buf, e.finish());
}

/** The identifying fields of a lease as keepalive and detach carry them (DETACH-02). */
export interface LeaseRef {
  readonly leaseId: bigint;
  readonly streamId: number;
  readonly clientId: number;
  readonly role: RoleName;
}

export function keepaliveRequest(l: LeaseRef): Uint8Array {
  const buf = new Uint8Array(128);
  const e = new ShmLeaseKeepaliveEncoder()
    .wrapAndApplyHeader(buf)
    .leaseId(l.leaseId)
    .streamId(l.streamId)
    .clientId(l.clientId)
    .role(roleOf(l.role))
    .clientTimestampNs(1n);
  return finish(buf, e.finish());
}

export function detachRequest(l: LeaseRef, correlationId: bigint): Uint8Array {
  const buf = new Uint8Array(128);
  const e = new ShmDetachRequestEncoder()
    .wrapAndApplyHeader(buf)
    .correlationId(correlationId)
    .leaseId(l.leaseId)
    .streamId(l.streamId)
    .clientId(l.clientId)
    .role(roleOf(l.role));
  return finish(buf, e.finish());
}

/** `token` and `message` may be any bytes, up to what fits in one frame together. */
export function shutdownRequest(token: string | Uint8Array, message: string | Uint8Array = '', reason = ShutdownReason.ADMIN): Uint8Array {
  const buf = new Uint8Array(MAX_FRAME);
  const e = new ShmDriverShutdownRequestEncoder().wrapAndApplyHeader(buf).correlationId(1n).reason(reason).token(token).errorMessage(message);
  return finish(buf, e.finish());
}

export type AttachResponse = Extract<Observed, { kind: 'attach' }>;
export type DetachResponse = Extract<Observed, { kind: 'detach' }>;

/** Sends an attach on the observer's connection and waits for its response (same correlationId). */
export async function attachVia(o: Observer, a: AttachRequest): Promise<AttachResponse> {
  o.conn.send(attachRequest(a));
  const r = await o.next((x) => x.kind === 'attach' && x.correlationId === a.correlationId, 5000, `the attach response ${a.correlationId}`);
  return r as AttachResponse;
}

/** Sends a detach on the observer's connection and waits for its response (same correlationId). */
export async function detachVia(o: Observer, l: LeaseRef, correlationId: bigint): Promise<DetachResponse> {
  o.conn.send(detachRequest(l, correlationId));
  const r = await o.next((x) => x.kind === 'detach' && x.correlationId === correlationId, 5000, `the detach response ${correlationId}`);
  return r as DetachResponse;
}
