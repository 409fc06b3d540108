/**
 * The driver's records of leases and streams. Lifecycle state is never stored here: it is the
 * state of each record's machine (LeaseHsm, StreamHsm). Records hold data only.
 */
import type { ProfileConfig } from './config/driver-config.js';
import type { ProvisionedEpoch } from './shm-backend.js';

export const ROLE_PRODUCER = 1;
export const ROLE_CONSUMER = 2;

export const REASON_DETACHED = 1;
export const REASON_EXPIRED = 2;
export const REASON_REVOKED = 3;

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
  revokeLease(lease: LeaseRecord, reason: number): void;
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
    readonly role: number,
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
  consumers = 0;
  constructor(
    readonly owner: StreamOwner,
    readonly streamId: number,
    readonly profile: ProfileConfig,
    /** Created from `driver.stream_id_range` (STREAMID-08); dropped when its last lease ends. */
    readonly dynamic: boolean,
  ) {}
}
