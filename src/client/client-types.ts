/** The driver client's options, lease handle and events (docs/client.md). */
import type { ControlConnection } from '../transport/control-connection.js';
import type { AnnounceTimeout, EpochChange } from './announce-tracker.js';
import type { HeaderRegion, PoolRegion } from './attach-response-check.js';
import type { BackoffOptions } from './backoff.js';
import type { AttachRejectedError, ClientProtocolError } from './client-errors.js';
import type { RandomSource, Scheduler } from './scheduler.js';

export type LeaseRole = 'producer' | 'consumer';
/** ATTACH-10. Absent = null on the wire (the RI treats it as require-existing). */
export type AttachPublishMode = 'require-existing' | 'existing-or-create';
/** ATTACH-11. Default unspecified (the driver's policy). */
export type HugepagesRequest = 'unspecified' | 'standard' | 'hugepages';

export interface AttachOptions {
  readonly streamId: number;
  readonly role: LeaseRole;
  readonly publishMode?: AttachPublishMode;
  /** ATTACH-09: 0 (default) = the driver's version. */
  readonly expectedLayoutVersion?: number;
  readonly hugepages?: HugepagesRequest;
  /** ATTACH-13. */
  readonly desiredNodeId?: number;
}

/** A granted lease: everything the data plane needs to map the stream. Immutable. */
export interface Lease {
  readonly leaseId: bigint;
  /** The driver's stream id (adopted, CLIENT-16; may differ from the one asked for). */
  readonly streamId: number;
  readonly clientId: number;
  readonly role: LeaseRole;
  readonly epoch: bigint;
  readonly layoutVersion: number;
  readonly nodeId: number | null;
  readonly header: HeaderRegion;
  readonly pools: readonly PoolRegion[];
  /** Driver monotonic ns; null when the driver sets no expiry (ATTACH-08). */
  readonly expiryNs: bigint | null;
}

/** Why an attached lease stopped being usable. */
export type LeaseLossCause =
  | { readonly kind: 'revoked'; readonly reason: 'DETACHED' | 'EXPIRED' | 'REVOKED' }
  /** CLIENT-12/17: a keepalive could not be sent, or the lease's deadline passed locally. */
  | { readonly kind: 'keepalive-failed'; readonly error: Error | null }
  | { readonly kind: 'shutdown'; readonly reason: number; readonly message: string }
  | { readonly kind: 'disconnected'; readonly cause: Error | null }
  | { readonly kind: 'detached' }
  | { readonly kind: 'closed' };

export type ClientState = 'Unattached' | 'Connecting' | 'Attaching' | 'Attached' | 'Backoff' | 'Detaching' | 'Closed';

export type DriverClientEvents = {
  /** A lease was granted (the first attach and every reattach). */
  attached: [lease: Lease];
  /** The lease in use was invalidated, whatever the cause: stop using its regions now (CLIENT-06/07). */
  'lease-lost': [lease: Lease, cause: LeaseLossCause];
  /** ShmLeaseRevoked for this client's lease (REVOKE-06 case 1); a reattach follows. */
  revoked: [lease: Lease, reason: 'DETACHED' | 'EXPIRED' | 'REVOKED'];
  /** `detach()` completed; the client is Unattached. */
  detached: [lease: Lease];
  /** ShmDriverShutdown (SHUTDOWN-05): every lease is invalid; reattach once the driver is back. */
  shutdown: [reason: number, message: string];
  /** The connection to the driver ended, or could not be made. */
  disconnected: [cause: Error | null];
  /** A driver message was dropped as a protocol error (CLIENT-01..06, SCHEMA-01/03, REVOKE-05). */
  'protocol-error': [error: ClientProtocolError];
  /** An automatic reattach was refused; the client backs off and tries again. */
  'attach-failed': [error: AttachRejectedError];
  /** IDENTITY-05: the clientId was taken; a new one was chosen. */
  'client-id-changed': [clientId: number, previous: number];
  /** The lease's stream moved to a new epoch (EPOCH-02, CLIENT-15). */
  'epoch-changed': [change: EpochChange];
  /** REVOKE-06 case 2: the producer of the stream this client consumes lost its lease. */
  'producer-revoked': [streamId: number, leaseId: bigint];
  /** REVOKE-08: no epoch-bumped announce arrived in time after a producer revoke. */
  'announce-timeout': [timeout: AnnounceTimeout];
  /** Every state change of the client machine. */
  state: [state: ClientState, previous: ClientState];
};

export interface DriverClientOptions {
  /** Opens a connection to the driver; called again after each loss (in-process, Unix socket, …). */
  readonly connect: () => Promise<ControlConnection>;
  /** Default real timers (unref'd) and CLOCK_MONOTONIC. */
  readonly scheduler?: Scheduler;
  /** Default Math.random. */
  readonly random?: RandomSource;
  /** 0 or absent = auto-assign a random non-zero u32 (IDENTITY-04), re-chosen on collision (IDENTITY-05). */
  readonly clientId?: number;
  /** CLIENT-12. Default 1000 (KEEPALIVE-04). */
  readonly keepaliveIntervalMs?: number;
  /** CLIENT-11: give up on one attach request. Default 5000. */
  readonly attachTimeoutMs?: number;
  /** CLIENT-11: resend the same request (same correlationId) while waiting. Default 1000; 0 = never. */
  readonly attachResendIntervalMs?: number;
  /** How long detach() waits for ShmDetachResponse. Default 5000. */
  readonly detachTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  /** The driver's announce period: freshness and revoke wait are 3 × this (§7.5, REVOKE-08). Default 1000. */
  readonly announcePeriodMs?: number;
}

export const CLIENT_DEFAULTS = {
  keepaliveIntervalMs: 1000,
  attachTimeoutMs: 5000,
  attachResendIntervalMs: 1000,
  detachTimeoutMs: 5000,
  announcePeriodMs: 1000,
} as const;
