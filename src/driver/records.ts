/**
 * The driver's records of leases and streams. Lifecycle state is never stored here: it is the
 * state of each record's machine (LeaseHsm, StreamHsm). Records hold data only.
 */
import type { LeaseRevokeReason, Role } from '../sbe/index.js';
import type { ProfileConfig } from './config/driver-config.js';
import type { ProvisionedEpoch } from './shm-backend.js';

/** What a lease's machine effects call back into. */
export interface LeaseOwner {
  /** Current driver time (monotonic ns). */
  readonly nowNs: number;
  /**
   * Sets the lease's expiry to now + interval × grace (KEEPALIVE-06), never earlier than a
   * deadline already given (keeps deadline order = refresh order). It stores rather than
   * returns the value: a double returned across a call is boxed, and keepalives must not
   * allocate.
   */
  refreshExpiry(lease: LeaseRecord): void;
  /** Invalidates the lease everywhere (REVOKE-01): notice, bookkeeping, producer epoch bump. */
  revokeLease(lease: LeaseRecord, reason: LeaseRevokeReason): void;
}

export class LeaseRecord {
  /** Absolute monotonic ns after which the lease is expired. */
  expiryNs = 0;
  // Links of the driver's deadline list (lease-deadline-list.ts).
  prev: LeaseRecord | null = null;
  next: LeaseRecord | null = null;
  linked = false;
  constructor(
    readonly owner: LeaseOwner,
    readonly leaseId: number,
    /** The id the stream is actually stored under (the allocated one for dynamic streams; D1). */
    readonly streamId: number,
    readonly clientId: number,
    readonly role: Role,
    readonly nodeId: number,
    /** The control-plane connection that attached it (leases die with it: issue 5). */
    readonly connection: number,
  ) {}
}

/** What a stream's machine effects call back into. */
export interface StreamOwner {
  queueAnnounce(stream: StreamRecord): void;
  epochAdopted(stream: StreamRecord, previous: bigint): void;
}

export class StreamRecord {
  /** 0n until first provisioned (EPOCH-08). */
  epoch = 0n;
  /** The regions of the current epoch; null while unprovisioned. */
  regions: ProvisionedEpoch | null = null;
  /** A freshly provisioned epoch waiting to be adopted by the stream machine's transition. */
  pending: ProvisionedEpoch | null = null;
  /** The current producer lease (PRODUCER-03: announces carry its clientId). */
  producer: LeaseRecord | null = null;
  /**
   * Connections holding a CONSUMER lease on this stream, each once, with how many such leases it
   * holds (parallel arrays): the FrameDescriptor relay sends to each without allocating (issue 6).
   * They are the one record of the stream's consumer leases; `consumers` is derived from them.
   */
  readonly consumerConnections: number[] = [];
  readonly consumerConnectionLeases: number[] = [];
  constructor(
    readonly owner: StreamOwner,
    readonly streamId: number,
    readonly profile: ProfileConfig,
    /** Created from `driver.stream_id_range` (STREAMID-08); dropped when its last lease ends. */
    readonly dynamic: boolean,
  ) {}

  /** CONSUMER leases on the stream (status and the dynamic-stream cleanup; not a hot path). */
  get consumers(): number {
    let n = 0;
    for (let i = 0; i < this.consumerConnectionLeases.length; i++) n += this.consumerConnectionLeases[i] as number;
    return n;
  }
}

/** A consumer lease on `connection` began: the relay now reaches that connection. */
export function addConsumerConnection(stream: StreamRecord, connection: number): void {
  const i = stream.consumerConnections.indexOf(connection);
  if (i >= 0) stream.consumerConnectionLeases[i] = (stream.consumerConnectionLeases[i] ?? 0) + 1;
  else {
    stream.consumerConnections.push(connection);
    stream.consumerConnectionLeases.push(1);
  }
}

/** A consumer lease on `connection` ended: the connection leaves the relay with its last one. */
export function removeConsumerConnection(stream: StreamRecord, connection: number): void {
  const i = stream.consumerConnections.indexOf(connection);
  if (i < 0) return;
  const left = (stream.consumerConnectionLeases[i] ?? 1) - 1;
  if (left > 0) {
    stream.consumerConnectionLeases[i] = left;
    return;
  }
  stream.consumerConnections.splice(i, 1);
  stream.consumerConnectionLeases.splice(i, 1);
}
