/**
 * A hand-driven ControlConnection for protocol tests: records what the client sends and lets
 * the test inject any frame, well-formed or not, as if the driver had sent it.
 */
import {
  ResponseCode,
  ShmAttachRequestDecoder,
  ShmAttachResponseEncoder,
  ShmLeaseRevokedEncoder,
  type LeaseRevokeReason,
  type Role,
} from '../../src/sbe/index.js';
import type { ControlConnection } from '../../src/transport/control-connection.js';

export class ScriptedConnection implements ControlConnection {
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onClose: ((cause: Error | null) => void) | null = null;
  closed = false;
  readonly sent: Uint8Array[] = [];

  send(frame: Uint8Array): void {
    if (this.closed) throw new Error('closed');
    this.sent.push(frame.slice());
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(null);
  }
  inject(frame: Uint8Array): void {
    this.onFrame?.(frame);
  }
  /** Templates of the sent frames (1 attach, 3 detach, 5 keepalive). */
  templates(): number[] {
    return this.sent.map((f) => f[2]! | (f[3]! << 8));
  }
  /** The attach requests sent, decoded. */
  attaches(): { correlationId: bigint; clientId: number; streamId: number; publishMode: number | null }[] {
    const d = new ShmAttachRequestDecoder();
    return this.sent
      .filter((f) => (f[2]! | (f[3]! << 8)) === 1)
      .map((f) => {
        const a = d.wrap(f);
        return { correlationId: a.correlationId(), clientId: a.clientId(), streamId: a.streamId(), publishMode: a.publishMode() };
      });
  }
  lastAttachCid(): bigint {
    const all = this.attaches();
    const last = all[all.length - 1];
    if (last === undefined) throw new Error('no attach request sent');
    return last.correlationId;
  }
}

export interface ResponseShape {
  leaseId?: bigint | null;
  streamId?: number | null;
  epoch?: bigint | null;
  layoutVersion?: number | null;
  headerNslots?: number | null;
  headerSlotBytes?: number | null;
  nodeId?: number | null;
  expiryNs?: bigint | null;
  pools?: { poolId: number; nslots: number; stride: number; uri: string }[];
  headerUri?: string;
}

const DIR = '/tmp/tp-test/tensorpool-u/default/10000/7';

/** An ShmAttachResponse; OK with a valid grant unless fields are overridden. */
export function attachResponse(correlationId: bigint, shape: ResponseShape = {}, code: ResponseCode = ResponseCode.OK, message = ''): Uint8Array {
  const b = new Uint8Array(1024);
  const e = new ShmAttachResponseEncoder()
    .wrapAndApplyHeader(b)
    .correlationId(correlationId)
    .code(code)
    .leaseId(shape.leaseId === undefined ? 41n : shape.leaseId)
    .leaseExpiryTimestampNs(shape.expiryNs === undefined ? 8_000_000_000n : shape.expiryNs)
    .streamId(shape.streamId === undefined ? 10000 : shape.streamId)
    .epoch(shape.epoch === undefined ? 7n : shape.epoch)
    .layoutVersion(shape.layoutVersion === undefined ? 1 : shape.layoutVersion)
    .headerNslots(shape.headerNslots === undefined ? 8 : shape.headerNslots)
    .headerSlotBytes(shape.headerSlotBytes === undefined ? 256 : shape.headerSlotBytes)
    .nodeId(shape.nodeId === undefined ? 3 : shape.nodeId);
  const pools = shape.pools ?? [{ poolId: 1, nslots: 8, stride: 4096, uri: `shm:file?path=${DIR}/1.pool` }];
  const g = e.payloadPoolsCount(pools.length);
  for (const p of pools) g.next().poolId(p.poolId).poolNslots(p.nslots).strideBytes(p.stride).regionUri(p.uri);
  g.close();
  e.headerRegionUri(shape.headerUri ?? `shm:file?path=${DIR}/header.ring`).errorMessage(message);
  return b.slice(0, e.finish());
}

export function revokedNotice(leaseId: bigint, streamId: number, clientId: number, role: Role, reason: LeaseRevokeReason | number): Uint8Array {
  const b = new Uint8Array(256);
  const e = new ShmLeaseRevokedEncoder().wrapAndApplyHeader(b).timestampNs(1n).leaseId(leaseId).streamId(streamId).clientId(clientId).role(role);
  // Written raw so that tests can send a reason no encoder would (REVOKE-05).
  e.reason(1).errorMessage('');
  const n = e.finish();
  b[8 + 25] = reason;
  return b.slice(0, n);
}
