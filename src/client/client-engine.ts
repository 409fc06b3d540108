/**
 * The driver client's workings: connection, timers, frames in and out, the lease. The state
 * machine (client-machine.ts) decides *when*; this class does *what*. Input (frames, timers,
 * user calls) is turned into machine events with `post`, so a listener that calls back into the
 * client from inside a step is queued, never re-entered.
 */
import type { ControlConnection } from '../transport/control-connection.js';
import { AnnounceTracker } from './announce-tracker.js';
import type { AttachGrant } from './attach-response-check.js';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import { AttachCancelledError, AttachRejectedError, ClientClosedError, type ClientProtocolError } from './client-errors.js';
import { InboundDecoder, type Inbound } from './client-inbound.js';
import { ClientEvents, ClientMachine, type ClientCore, type ShutdownNotice } from './client-machine.js';
import { ClientRequests } from './client-requests.js';
import {
  CLIENT_DEFAULTS,
  type AttachOptions,
  type ClientState,
  type DriverClientEvents,
  type DriverClientOptions,
  type Lease,
  type LeaseLossCause,
  type LeaseRole,
} from './client-types.js';
import { CorrelationIds, randomNonZeroU32 } from './correlation-ids.js';
import { NamedTimers } from './named-timers.js';
import { realScheduler, type RandomSource, type Scheduler } from './scheduler.js';
import { TypedEmitter } from './typed-emitter.js';

/** IDENTITY-05: the RI matches this exact diagnostic (DRIVER_RULES §3.1 row 6). */
export const CLIENT_ID_TAKEN = 'client_id already attached';
/** Requests given up on, remembered so that a late OK's lease is detached (CLIENT-19). */
const ABANDONED_MAX = 16;

export interface ClientCounters {
  framesReceived: number;
  attachRequestsSent: number;
  keepalivesSent: number;
  /** CLIENT-09: responses whose correlationId is not outstanding. */
  staleResponses: number;
  /** CLIENT-01..06, SCHEMA-01/03, REVOKE-05: messages dropped as protocol errors. */
  protocolErrors: number;
  /** Revoke notices for other leases (REVOKE-06 case 3). */
  revokesIgnored: number;
  unknownMessages: number;
  /** CLIENT-19: leases granted to an abandoned request, detached at once. */
  orphanLeasesDetached: number;
}

type TimerName = 'attach' | 'resend' | 'keepalive' | 'retry' | 'detach';

interface Pending<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

export class ClientEngine implements ClientCore {
  readonly emitter = new TypedEmitter<DriverClientEvents>();
  readonly tracker: AnnounceTracker;
  readonly counters: ClientCounters = {
    framesReceived: 0, attachRequestsSent: 0, keepalivesSent: 0, staleResponses: 0,
    protocolErrors: 0, revokesIgnored: 0, unknownMessages: 0, orphanLeasesDetached: 0,
  };
  readonly machine: ReturnType<typeof ClientMachine.create>;
  clientId: number;
  lease: Lease | null = null;
  state: ClientState = 'Unattached';

  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;
  private readonly timers: NamedTimers<TimerName>;
  private readonly autoClientId: boolean;
  private readonly ids: CorrelationIds;
  private readonly backoff: Backoff;
  private readonly requests = new ClientRequests();
  private readonly inbound = new InboundDecoder();
  private readonly intervals: { keepalive: number; attachTimeout: number; resend: number; detachTimeout: number };

  private conn: ControlConnection | null = null;
  private connecting = false;
  /** The data plane's FrameDescriptor consumer (one per client: the Consumer that owns it). */
  descriptorHandler: ((frame: Uint8Array) => void) | null = null;
  private wanted: AttachOptions | null = null;
  /** The stream id to ask for: the user's, then the driver's once granted (CLIENT-16). */
  private streamId = 0;
  private layoutVersion = 0;
  private granted = false;
  private pendingAttach: Pending<Lease> | null = null;
  private pendingDetach: Pending<void>[] = [];
  private attachCid: bigint | null = null;
  private attachFrame: Uint8Array | null = null;
  private abandoned: { readonly cid: bigint; readonly role: LeaseRole }[] = [];
  /**
   * An attach request was abandoned since the last grant: a slow driver may have granted it after
   * all, so "client_id already attached" may name this client's own orphan (CLIENT-19).
   */
  private abandonedSinceGrant = false;
  private detachCid: bigint | null = null;
  private detachingLease: Lease | null = null;
  /** The lease Attached's exit just invalidated, for the transition's event. */
  private lostLease: Lease | null = null;
  /** The stream whose announces are tracked: the lease's, until detach (then its events stop). */
  private trackedStream: number | null = null;
  /** CLIENT-17: the lease's deadline as last extended by a keepalive we sent (monotonic ns). */
  private deadlineNs = Infinity;
  private lifetimeNs = Infinity;

  constructor(private readonly options: DriverClientOptions) {
    this.scheduler = options.scheduler ?? realScheduler();
    this.random = options.random ?? Math.random;
    this.timers = new NamedTimers(this.scheduler);
    const given = options.clientId ?? 0;
    this.autoClientId = given === 0;
    // IDENTITY-04: 0 is the auto-assign sentinel; a real id is chosen before any attach.
    this.clientId = this.autoClientId ? randomNonZeroU32(this.random) : given >>> 0;
    this.ids = new CorrelationIds(this.clientId, this.random);
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff }, this.random);
    this.intervals = {
      keepalive: options.keepaliveIntervalMs ?? CLIENT_DEFAULTS.keepaliveIntervalMs,
      attachTimeout: options.attachTimeoutMs ?? CLIENT_DEFAULTS.attachTimeoutMs,
      resend: options.attachResendIntervalMs ?? CLIENT_DEFAULTS.attachResendIntervalMs,
      detachTimeout: options.detachTimeoutMs ?? CLIENT_DEFAULTS.detachTimeoutMs,
    };
    this.tracker = new AnnounceTracker({ scheduler: this.scheduler, announcePeriodMs: options.announcePeriodMs ?? CLIENT_DEFAULTS.announcePeriodMs });
    this.tracker.on('epoch-changed', (c) => this.emitter.emit('epoch-changed', c));
    this.tracker.on('announce-timeout', (t) => this.emitter.emit('announce-timeout', t));
    this.machine = ClientMachine.create(this).start();
  }

  // ---- user calls ------------------------------------------------------------------------------

  /** Returns false when an attach is already wanted or a detach runs (CLIENT-10). */
  requestAttach(o: AttachOptions, pending: Pending<Lease>): boolean {
    if (this.state !== 'Unattached' || this.wanted !== null) return false;
    this.wanted = o;
    this.streamId = o.streamId;
    this.layoutVersion = o.expectedLayoutVersion ?? 0;
    this.granted = false;
    this.pendingAttach = pending;
    this.machine.post(ClientEvents.AttachWanted);
    return true;
  }

  requestDetach(pending: Pending<void>): void {
    this.pendingDetach.push(pending);
    this.machine.post(ClientEvents.DetachWanted);
  }

  close(): void {
    this.machine.post(ClientEvents.Close);
  }

  /**
   * Sends a data-plane message (a FrameDescriptor) on the control connection. Only while
   * Attached: a producer that lost its lease must not announce frames (OWN-08). False when not
   * sent; never throws (a broken connection ends the lease through its own path).
   */
  sendFrame(frame: Uint8Array): boolean {
    const c = this.conn;
    if (this.lease === null || c === null || c.closed) return false;
    try {
      c.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  // ---- ClientCore: the machine's actions ---------------------------------------------------------

  entered(state: ClientState): void {
    const previous = this.state;
    this.state = state;
    this.emitter.emit('state', state, previous);
  }

  ensureConnection(): void {
    if (this.conn !== null && !this.conn.closed) return this.machine.post(ClientEvents.Connected);
    if (this.connecting) return;
    this.connecting = true;
    Promise.resolve()
      .then(() => this.options.connect())
      .then(
        (conn) => {
          this.connecting = false;
          if (this.state === 'Closed') return conn.close();
          this.adopt(conn);
          this.machine.post(ClientEvents.Connected);
        },
        (err: unknown) => {
          this.connecting = false;
          this.machine.post(ClientEvents.ConnectFailed, err instanceof Error ? err : new Error(String(err)));
        },
      );
  }

  sendAttach(): void {
    const o = this.wanted;
    if (o === null) return;
    const cid = this.ids.next();
    this.attachCid = cid;
    // CLIENT-18: a reattach says REQUIRE_EXISTING explicitly where the first attach sent null.
    const publishMode = o.publishMode ?? (this.granted ? 'require-existing' : null);
    this.attachFrame = this.requests
      .attachRequest({
        correlationId: cid, streamId: this.streamId, clientId: this.clientId, role: o.role,
        expectedLayoutVersion: this.layoutVersion, publishMode, hugepages: o.hugepages ?? 'unspecified', desiredNodeId: o.desiredNodeId ?? null,
      })
      .slice();
    this.timers.arm('attach', this.intervals.attachTimeout, () => this.machine.post(ClientEvents.AttachTimeout));
    this.transmitAttach();
  }

  resendAttach(): void {
    this.transmitAttach();
  }

  leaveAttaching(): void {
    this.timers.clear('attach');
    this.timers.clear('resend');
    // Still outstanding: a response may yet come, and an OK one is a lease nobody uses. This
    // runs before any transition effect, so `wanted` still says which role it was for.
    const role = this.wanted?.role;
    if (this.attachCid !== null && role !== undefined) {
      this.abandoned.push({ cid: this.attachCid, role });
      if (this.abandoned.length > ABANDONED_MAX) this.abandoned.shift();
      this.abandonedSinceGrant = true;
    }
    this.attachCid = null;
    this.attachFrame = null;
  }

  grant(g: AttachGrant): void {
    const o = this.wanted as AttachOptions;
    this.abandonedSinceGrant = false;
    const lease: Lease = Object.freeze({
      leaseId: g.leaseId, streamId: g.streamId, clientId: this.clientId, role: o.role, epoch: g.epoch,
      layoutVersion: g.layoutVersion, nodeId: g.nodeId, header: g.regions.header, pools: g.regions.pools, expiryNs: g.expiryNs,
    });
    // CLIENT-16: adopt the driver's stream id and layout version for reattaches.
    this.streamId = g.streamId;
    this.layoutVersion = g.layoutVersion;
    this.granted = true;
    this.lease = lease;
    const now = this.nowNs();
    const lifetime = g.expiryNs === null ? Infinity : Number(g.expiryNs) - now;
    // CLIENT-17 holds on one host's CLOCK_MONOTONIC. A deadline already past on arrival means the
    // clocks are not comparable; validity is then known only from revoke notices, as when the
    // driver sends no expiry (rather than a reattach loop that could never succeed).
    this.lifetimeNs = lifetime > 0 ? lifetime : Infinity;
    this.deadlineNs = lifetime > 0 ? now + lifetime : Infinity;
    this.backoff.reset();
    if (this.trackedStream !== null && this.trackedStream !== g.streamId) this.tracker.untrack(this.trackedStream);
    this.trackedStream = g.streamId;
    this.tracker.adopt(g.streamId, g.epoch, g.layoutVersion, g.regions);
    const p = this.pendingAttach;
    this.pendingAttach = null;
    p?.resolve(lease);
    this.emitter.emit('attached', lease);
  }

  isFirstAttach(): boolean {
    return !this.granted;
  }

  failAttach(e: AttachRejectedError): void {
    this.wanted = null;
    this.settleAttach(e);
  }

  attachRefused(e: AttachRejectedError): void {
    this.emitter.emit('attach-failed', e);
  }

  rechooseClientId(): void {
    const previous = this.clientId;
    let next = randomNonZeroU32(this.random);
    if (next === previous) next = (next % 0xffffffff) + 1;
    this.clientId = next;
    this.ids.reseed(next);
    this.emitter.emit('client-id-changed', next, previous);
  }

  reportProtocolError(e: ClientProtocolError): void {
    this.emitter.emit('protocol-error', e);
  }

  /**
   * CLIENT-17: the keepalive period is the configured interval, but never more than half the
   * lifetime the driver granted — a client configured for 1 s keepalives against a driver that
   * expires leases after 300 ms would otherwise lose its lease every lifetime (found by the
   * fault-injection suite, issue 7).
   */
  startKeepalives(): void {
    const period = Math.min(this.intervals.keepalive, this.lifetimeNs / 1e6 / 2);
    this.timers.arm('keepalive', period, () => this.machine.post(ClientEvents.KeepaliveDue));
  }

  keepalive(): void {
    const lease = this.lease;
    if (lease === null) return;
    const now = this.nowNs();
    // CLIENT-17: past the deadline the driver has (or will have) expired the lease.
    if (now > this.deadlineNs) {
      return this.machine.post(ClientEvents.LeaseLost, { kind: 'keepalive-failed', error: new Error('lease deadline passed before a keepalive could be sent') });
    }
    try {
      this.requireConn().send(this.requests.keepalive(lease.leaseId, lease.streamId, lease.clientId, lease.role, now));
    } catch (err) {
      // CLIENT-12: a failed keepalive send is fatal for the lease.
      return this.machine.post(ClientEvents.LeaseLost, { kind: 'keepalive-failed', error: err instanceof Error ? err : new Error(String(err)) });
    }
    this.counters.keepalivesSent++;
    this.deadlineNs = now + this.lifetimeNs;
    this.startKeepalives();
  }

  invalidateLease(): void {
    this.timers.clear('keepalive');
    this.lostLease = this.lease;
    this.lease = null;
    this.deadlineNs = this.lifetimeNs = Infinity;
  }

  leaseLost(cause: LeaseLossCause): void {
    const lease = this.lostLease;
    this.lostLease = null;
    if (lease === null) return;
    this.emitter.emit('lease-lost', lease, cause);
    if (cause.kind === 'revoked') this.emitter.emit('revoked', lease, cause.reason);
  }

  beginDetach(): void {
    const lease = this.lostLease as Lease;
    this.detachingLease = lease;
    this.leaseLost({ kind: 'detached' });
    this.wanted = null;
    const cid = this.ids.next();
    this.detachCid = cid;
    this.timers.arm('detach', this.intervals.detachTimeout, () => this.machine.post(ClientEvents.DetachTimeout));
    try {
      this.requireConn().send(this.requests.detach(cid, lease.leaseId, lease.streamId, lease.clientId, lease.role));
    } catch {
      // Best effort (DETACH-01): without a connection the driver expires the lease.
      this.machine.post(ClientEvents.DetachDone);
    }
  }

  finishDetach(): void {
    this.timers.clear('detach');
    this.detachCid = null;
    const lease = this.detachingLease;
    this.detachingLease = null;
    this.untrack();
    this.settleDetachNow();
    if (lease !== null) this.emitter.emit('detached', lease);
  }

  cancelAttach(): void {
    this.wanted = null;
    this.settleAttach(new AttachCancelledError('detach() was called before a lease was granted'));
    this.untrack();
    this.settleDetachNow();
  }

  settleDetachNow(): void {
    for (const p of this.pendingDetach.splice(0)) p.resolve();
  }

  armRetry(): void {
    this.timers.arm('retry', this.backoff.next(), () => this.machine.post(ClientEvents.RetryDue));
  }

  stopRetry(): void {
    this.timers.clear('retry');
  }

  connectionLost(cause: Error | null): void {
    this.emitter.emit('disconnected', cause);
    this.leaseLost({ kind: 'disconnected', cause });
  }

  driverShutdown(n: ShutdownNotice): void {
    // SHUTDOWN-05: this driver is going away; the next attempt reconnects (to its successor).
    this.dropConnection();
    this.emitter.emit('shutdown', n.reason, n.message);
    this.leaseLost({ kind: 'shutdown', reason: n.reason, message: n.message });
  }

  closeAll(): void {
    this.timers.clearAll();
    this.leaseLost({ kind: 'closed' });
    this.wanted = null;
    this.settleAttach(new ClientClosedError());
    this.settleDetachNow();
    this.tracker.close();
    this.dropConnection();
  }

  // ---- frames from the driver --------------------------------------------------------------------

  private adopt(conn: ControlConnection): void {
    this.conn = conn;
    conn.onFrame = (frame) => this.onFrame(frame);
    conn.onClose = (cause) => {
      if (this.conn !== conn) return;
      this.conn = null;
      this.machine.post(ClientEvents.ConnectionLost, cause);
    };
  }

  private onFrame(frame: Uint8Array): void {
    this.counters.framesReceived++;
    const m = this.inbound.decode(frame);
    switch (m.kind) {
      case 'announce':
        this.tracker.handleAnnounce(frame);
        return;
      case 'descriptor':
        // Only while a lease is held: a descriptor names frames of the lease's regions.
        if (this.descriptorHandler !== null && this.lease !== null) this.descriptorHandler(frame);
        return;
      case 'attach-ok':
      case 'attach-invalid':
      case 'attach-error':
        return this.onAttachResponse(m);
      case 'detach-response':
        // DETACH-01/03: OK or REJECTED ("unknown lease": already gone), the lease is over either way.
        if (this.detachCid !== null && m.cid === this.detachCid) this.machine.post(ClientEvents.DetachDone);
        else this.counters.staleResponses++;
        return;
      case 'shutdown':
        return this.machine.post(ClientEvents.DriverShutdown, { reason: m.reason, message: m.message });
      case 'revoked':
        return this.onRevoked(m);
      case 'malformed':
        this.counters.protocolErrors++;
        // CLIENT-06: a broken response to the attach we wait for fails that attempt closed.
        if (m.attachCid !== null && m.attachCid === this.attachCid) return this.machine.post(ClientEvents.ProtocolError, m.error);
        return this.emitter.emit('protocol-error', m.error);
      case 'unknown':
        this.counters.unknownMessages++;
        return;
    }
  }

  private onAttachResponse(m: Extract<Inbound, { kind: 'attach-ok' | 'attach-invalid' | 'attach-error' }>): void {
    if (m.cid !== this.attachCid) {
      // CLIENT-19 (conforming): a lease granted to an abandoned request is detached at once.
      const gone = this.abandoned.find((a) => a.cid === m.cid);
      if (gone !== undefined && m.kind === 'attach-ok') return this.detachOrphan(gone.cid, m.grant.leaseId, m.grant.streamId, gone.role);
      // CLIENT-09: unknown, stale, or already answered (a later duplicate never overrides).
      this.counters.staleResponses++;
      return;
    }
    this.attachCid = null;
    switch (m.kind) {
      case 'attach-ok':
        return this.machine.post(ClientEvents.AttachOk, m.grant);
      case 'attach-invalid':
        this.counters.protocolErrors++;
        // CLIENT-06: dropped, and a new attempt follows. If it names a lease the driver may hold
        // one for us: detach it rather than leave it to expire (CLIENT-19).
        if (m.leaseId !== null && m.streamId !== null && this.wanted !== null) this.detachOrphan(m.cid, m.leaseId, m.streamId, this.wanted.role);
        return this.machine.post(ClientEvents.ProtocolError, m.error);
      case 'attach-error':
        if (this.autoClientId && m.message === CLIENT_ID_TAKEN) return this.machine.post(ClientEvents.ClientIdTaken);
        if (m.message === CLIENT_ID_TAKEN && this.abandonedSinceGrant) {
          // The id is (or was) held by our own abandoned request's lease: its OK response came
          // first on this connection and was detached (CLIENT-19), so a retry after backoff is
          // granted. Once per abandonment, so a foreign holder is still reported.
          this.abandonedSinceGrant = false;
          return this.machine.post(ClientEvents.AttachTimeout);
        }
        return this.machine.post(ClientEvents.AttachRejected, new AttachRejectedError(m.code, m.message));
    }
  }

  private onRevoked(m: Extract<Inbound, { kind: 'revoked' }>): void {
    const lease = this.lease;
    if (lease !== null && m.leaseId === lease.leaseId && m.streamId === lease.streamId && m.role === lease.role) {
      // REVOKE-06 case 1 (duplicates, REVOKE-04, find no lease and are ignored).
      return this.machine.post(ClientEvents.LeaseLost, { kind: 'revoked', reason: m.reason });
    }
    if (lease !== null && lease.role === 'consumer' && m.role === 'producer' && m.streamId === lease.streamId) {
      // REVOKE-06 case 2: wait for the epoch-bumped announce before resuming.
      this.tracker.producerRevoked(m.streamId);
      return this.emitter.emit('producer-revoked', m.streamId, m.leaseId);
    }
    // REVOKE-06 case 3 / REVOKE-07: not ours.
    this.counters.revokesIgnored++;
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private transmitAttach(): void {
    const frame = this.attachFrame;
    if (frame === null) return;
    try {
      this.requireConn().send(frame);
      this.counters.attachRequestsSent++;
    } catch {
      // The connection is gone; its onClose (or the attach timeout) moves the machine on.
    }
    if (this.intervals.resend > 0) this.timers.arm('resend', this.intervals.resend, () => this.machine.post(ClientEvents.ResendDue));
  }

  private detachOrphan(cid: bigint, leaseId: bigint, streamId: number, role: LeaseRole): void {
    this.abandoned = this.abandoned.filter((a) => a.cid !== cid);
    const c = this.conn;
    if (c === null) return;
    this.counters.orphanLeasesDetached++;
    try {
      c.send(this.requests.detach(this.ids.next(), leaseId, streamId, this.clientId, role));
    } catch {
      // Best effort: the driver expires it otherwise.
    }
  }

  private settleAttach(err: Error): void {
    const p = this.pendingAttach;
    this.pendingAttach = null;
    p?.reject(err);
  }

  private untrack(): void {
    if (this.trackedStream !== null) this.tracker.untrack(this.trackedStream);
    this.trackedStream = null;
  }

  private requireConn(): ControlConnection {
    const c = this.conn;
    if (c === null || c.closed) throw new Error('no connection to the driver');
    return c;
  }

  private dropConnection(): void {
    const c = this.conn;
    this.conn = null;
    if (c === null) return;
    c.onFrame = null;
    c.onClose = null;
    c.close();
  }

  private nowNs(): number {
    return this.scheduler.now() * 1e6;
  }
}
