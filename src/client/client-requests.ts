/** Encodes the client's requests (attach, keepalive, detach) into one reused buffer. */
import {
  HugepagesPolicy,
  PublishMode,
  Role,
  ShmAttachRequestEncoder,
  ShmDetachRequestEncoder,
  ShmLeaseKeepaliveEncoder,
} from '../sbe/index.js';
import type { AttachPublishMode, HugepagesRequest, LeaseRole } from './client-types.js';

export interface AttachRequestFields {
  readonly correlationId: bigint;
  readonly streamId: number;
  readonly clientId: number;
  readonly role: LeaseRole;
  readonly expectedLayoutVersion: number;
  readonly publishMode: AttachPublishMode | null;
  readonly hugepages: HugepagesRequest;
  readonly desiredNodeId: number | null;
}

export const wireRole = (role: LeaseRole): Role => (role === 'producer' ? Role.PRODUCER : Role.CONSUMER);

const PUBLISH_MODES = { 'require-existing': PublishMode.REQUIRE_EXISTING, 'existing-or-create': PublishMode.EXISTING_OR_CREATE } as const;
const HUGEPAGES = { unspecified: HugepagesPolicy.UNSPECIFIED, standard: HugepagesPolicy.STANDARD, hugepages: HugepagesPolicy.HUGEPAGES } as const;

export class ClientRequests {
  /** Requests are fixed-size (attach 35, detach 33, keepalive 33 bytes); send() copies them. */
  private readonly buf = new Uint8Array(64);
  private readonly attach = new ShmAttachRequestEncoder();
  private readonly keepaliveEnc = new ShmLeaseKeepaliveEncoder();
  private readonly detachEnc = new ShmDetachRequestEncoder();

  attachRequest(f: AttachRequestFields): Uint8Array {
    const e = this.attach
      .wrapAndApplyHeader(this.buf)
      .correlationId(f.correlationId)
      .streamId(f.streamId)
      .clientId(f.clientId)
      .role(wireRole(f.role))
      .expectedLayoutVersion(f.expectedLayoutVersion)
      .publishMode(f.publishMode === null ? null : PUBLISH_MODES[f.publishMode])
      .requireHugepages(HUGEPAGES[f.hugepages])
      .desiredNodeId(f.desiredNodeId);
    return this.buf.subarray(0, e.finish());
  }

  /** CLIENT-12: clientTimestampNs = the client's monotonic now. */
  keepalive(leaseId: bigint, streamId: number, clientId: number, role: LeaseRole, nowNs: number): Uint8Array {
    const e = this.keepaliveEnc
      .wrapAndApplyHeader(this.buf)
      .leaseId(leaseId)
      .streamId(streamId)
      .clientId(clientId)
      .role(wireRole(role))
      .clientTimestampNsNumber(Math.max(0, Math.floor(nowNs)));
    return this.buf.subarray(0, e.finish());
  }

  detach(correlationId: bigint, leaseId: bigint, streamId: number, clientId: number, role: LeaseRole): Uint8Array {
    const e = this.detachEnc
      .wrapAndApplyHeader(this.buf)
      .correlationId(correlationId)
      .leaseId(leaseId)
      .streamId(streamId)
      .clientId(clientId)
      .role(wireRole(role));
    return this.buf.subarray(0, e.finish());
  }
}
