/**
 * The driver client's workings: connection, timers, frames in and out, the lease. The state
 * machine (client-machine.ts) decides *when*; this class does *what*. Input (frames, timers,
 * user calls) is turned into machine events with `post`, so a listener that calls back into the
 * client from inside a step is queued, never re-entered.
 */
import {
  DRIVER_SCHEMA_ID,
  LeaseRevokeReason,
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
} from '../sbe/index.js';
import type { ControlConnection } from '../transport/control-connection.js';
import { AnnounceTracker } from './announce-tracker.js';
import { checkAttachResponse, type AttachGrant } from './attach-response-check.js';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import { ClientEvents, ClientMachine, type ClientCore, type ShutdownNotice } from './client-machine.js';
import { AttachCancelledError, AttachRejectedError, ClientClosedError, ClientProtocolError } from './client-errors.js';
import { ClientRequests, wireRole } from './client-requests.js';
import { CLIENT_DEFAULTS, type AttachOptions, type LeaseRole, type ClientState, type DriverClientEvents, type DriverClientOptions, type Lease, type LeaseLossCause } from './client-types.js';
import { CorrelationIds, randomNonZeroU32 } from './correlation-ids.js';
import { realScheduler, type RandomSource, type Scheduler, type TimerHandle } from './scheduler.js';
import { TypedEmitter } from './typed-emitter.js';

/** IDENTITY-05: the RI matches this exact diagnostic (DRIVER_RULES §3.1 row 6). */
export const CLIENT_ID_TAKEN = 'client_id already attached';
/** Late OK responses to abandoned requests remembered for a conforming detach (CLIENT-19). */
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

type ClientMachineInstance = ReturnType<typeof ClientMachine.create>;

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
  readonly machine: ClientMachineInstance;
  clientId: number;
  lease: Lease | null = null;
  state: ClientState = 'Unattached';

  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;
  private readonly autoClientId: boolean;
  private readonly ids: CorrelationIds;
  private readonly backoff: Backoff;
  private readonly requests = new ClientRequests();
  private readonly keepaliveMs: number;
  private readonly attachTimeoutMs: number;
  private readonly resendMs: number;
  private readonly detachTimeoutMs: number;

  private conn: ControlConnection | null = null;
  private connecting = false;
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
  private detachCid: bigint | null = null;
  private detachingLease: Lease | null = null;
  private lostLease: Lease | null = null;
  /** The stream whose announces are tracked: the lease's, until detach (then its events stop). */
  private trackedStream: number | null = null;
  /** CLIENT-17: the lease's deadline as last extended by a keepalive we sent (monotonic ns). */
  private deadlineNs = Infinity;
  private lifetimeNs = Infinity;
  private attachTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private keepaliveTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private detachTimer: TimerHandle | null = null;

  private readonly header = new MessageHeaderDecoder();
  private readonly attachRes = new ShmAttachResponseDecoder();
  private readonly detachRes = new ShmDetachResponseDecoder();
  private readonly revoked = new ShmLeaseRevokedDecoder();
  private readonly shutdown = new ShmDriverShutdownDecoder();

  constructor(private readonly options: DriverClientOptions) {
    this.scheduler = options.scheduler ?? realScheduler();
    this.random = options.random ?? Math.random;
    const given = options.clientId ?? 0;
    this.autoClientId = given === 0;
    // IDENTITY-04: 0 is the auto-assign sentinel; a real id is chosen before any attach.
    this.clientId = this.autoClientId ? randomNonZeroU32(this.random) : given >>> 0;
    this.ids = new CorrelationIds(this.clientId, this.random);
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff }, this.random);
    this.keepaliveMs = options.keepaliveIntervalMs ?? CLIENT_DEFAULTS.keepaliveIntervalMs;
    this.attachTimeoutMs = options.attachTimeoutMs ?? CLIENT_DEFAULTS.attachTimeoutMs;
    this.resendMs = options.attachResendIntervalMs ?? CLIENT_DEFAULTS.attachResendIntervalMs;
    this.detachTimeoutMs = options.detachTimeoutMs ?? CLIENT_DEFAULTS.detachTimeoutMs;
    this.tracker = new AnnounceTracker({ scheduler: this.scheduler, announcePeriodMs: options.announcePeriodMs ?? CLIENT_DEFAULTS.announcePeriodMs });
    this.tracker.on('epoch-changed', (c) => this.emitter.emit('epoch-changed', c));
    this.tracker.on('announce-timeout', (t) => this.emitter.emit('announce-timeout', t));
    this.machine = ClientMachine.create(this).start();
  }

  // ---- user calls ------------------------------------------------------------------------------

  /** Returns false when an attach is already wanted (CLIENT-10). */
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

  // ---- ClientCore: the machine's actions ---------------------------------------------------------

  entered(state: ClientState): void {
    const previous = this.state;
    this.state = state;
    this.emitter.emit('state', state, previous);
  }

  ensureConnection(): void {
    if (this.conn !== null && !this.conn.closed) {
      this.machine.post(ClientEvents.Connected);
      return;
    }
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
    this.attachTimer = this.scheduler.setTimeout(() => this.machine.post(ClientEvents.AttachTimeout), this.attachTimeoutMs);
    this.transmitAttach();
  }

  resendAttach(): void {
    this.transmitAttach();
  }

  leaveAttaching(): void {
    this.clear(this.attachTimer);
    this.clear(this.resendTimer);
    this.attachTimer = this.resendTimer = null;
    // A response may still come for this request; an OK one is then a lease nobody uses.
    if (this.attachCid !== null) this.abandon(this.attachCid);
    this.attachCid = null;
    this.attachFrame = null;
  }

  grant(g: AttachGrant): void {
    const o = this.wanted as AttachOptions;
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
    const p = this.pendingAttach;
    this.pendingAttach = null;
    p?.reject(e);
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

  startKeepalives(): void {
    this.keepaliveTimer = this.scheduler.setTimeout(() => this.machine.post(ClientEvents.KeepaliveDue), this.keepaliveMs);
  }

  keepalive(): void {
    const lease = this.lease;
    if (lease === null) return;
    const now = this.nowNs();
    // CLIENT-17: past the deadline the driver has (or will have) expired the lease.
    if (now > this.deadlineNs) {
      this.machine.post(ClientEvents.LeaseLost, { kind: 'keepalive-failed', error: new Error('lease deadline passed before a keepalive could be sent') });
      return;
    }
    try {
      this.requireConn().send(this.requests.keepalive(lease.leaseId, lease.streamId, lease.clientId, lease.role, now));
    } catch (err) {
      // CLIENT-12: a failed keepalive send is fatal for the lease.
      this.machine.post(ClientEvents.LeaseLost, { kind: 'keepalive-failed', error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    this.counters.keepalivesSent++;
    this.deadlineNs = now + this.lifetimeNs;
    this.startKeepalives();
  }

  invalidateLease(): void {
    this.clear(this.keepaliveTimer);
    this.keepaliveTimer = null;
    this.lostLease = this.lease;
    this.lease = null;
    this.deadlineNs = this.lifetimeNs = Infinity;
  }

  leaseLost(cause: LeaseLossCause): void {
    const lease = this.takeLost();
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
    this.detachTimer = this.scheduler.setTimeout(() => this.machine.post(ClientEvents.DetachTimeout), this.detachTimeoutMs);
    try {
      this.requireConn().send(this.requests.detach(cid, lease.leaseId, lease.streamId, lease.clientId, lease.role));
    } catch {
      // Best effort (DETACH-01): without a connection the driver expires the lease.
      this.machine.post(ClientEvents.DetachDone);
    }
  }

  finishDetach(): void {
    this.clear(this.detachTimer);
    this.detachTimer = null;
    this.detachCid = null;
    const lease = this.detachingLease;
    this.detachingLease = null;
    this.untrack();
    this.settleDetachNow();
    if (lease !== null) this.emitter.emit('detached', lease);
  }

  cancelAttach(): void {
    this.wanted = null;
    const p = this.pendingAttach;
    this.pendingAttach = null;
    p?.reject(new AttachCancelledError('detach() was called before a lease was granted'));
    this.untrack();
    this.settleDetachNow();
  }

  settleDetachNow(): void {
    const waiting = this.pendingDetach.splice(0);
    for (const p of waiting) p.resolve();
  }

  armRetry(): void {
    this.retryTimer = this.scheduler.setTimeout(() => this.machine.post(ClientEvents.RetryDue), this.backoff.next());
  }

  stopRetry(): void {
    this.clear(this.retryTimer);
    this.retryTimer = null;
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
    for (const t of [this.attachTimer, this.resendTimer, this.keepaliveTimer, this.retryTimer, this.detachTimer]) this.clear(t);
    this.attachTimer = this.resendTimer = this.keepaliveTimer = this.retryTimer = this.detachTimer = null;
    this.leaseLost({ kind: 'closed' });
    this.wanted = null;
    const p = this.pendingAttach;
    this.pendingAttach = null;
    p?.reject(new ClientClosedError());
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
    let schema: number;
    let template: number;
    try {
      const h = this.header.wrap(frame);
      schema = h.schemaId();
      template = h.templateId();
    } catch (err) {
      return this.protocolError(new ClientProtocolError('SCHEMA-03', `undecodable frame: ${errorText(err)}`, { cause: err }));
    }
    try {
      if (schema === DRIVER_SCHEMA_ID) {
        switch (template) {
          case 2: return this.onAttachResponse(frame);
          case 4: return this.onDetachResponse(frame);
          case 6: return this.onDriverShutdown(frame);
          case 7: return this.onLeaseRevoked(frame);
        }
      } else if (schema === WIRE_SCHEMA_ID && template === 1) {
        this.tracker.handleAnnounce(frame);
        return;
      }
      this.counters.unknownMessages++;
    } catch (err) {
      if (!(err instanceof SbeDecodeError)) throw err;
      // SCHEMA-01/03 and CLIENT-06: a malformed message is dropped. If it was the attach
      // response we wait for (its correlationId is readable), that attach fails closed.
      const e = new ClientProtocolError('SCHEMA-01', `malformed driver message ${schema}/${template}: ${err.message}`, { cause: err });
      if (schema === DRIVER_SCHEMA_ID && template === 2 && frame.length >= 16 && this.attachCid !== null) {
        const cid = new DataView(frame.buffer, frame.byteOffset + 8, 8).getBigInt64(0, true);
        if (cid === this.attachCid) {
          this.counters.protocolErrors++;
          this.machine.post(ClientEvents.ProtocolError, e);
          return;
        }
      }
      this.protocolError(e);
    }
  }

  private onAttachResponse(frame: Uint8Array): void {
    const r = this.attachRes.wrap(frame);
    const cid = r.correlationId();
    if (cid !== this.attachCid) {
      // CLIENT-19 (conforming): a lease granted to an abandoned request is detached at once.
      if (r.code() === ResponseCode.OK && this.abandoned.some((a) => a.cid === cid)) return this.detachOrphan(cid, r.leaseId(), r.streamId());
      // CLIENT-09: unknown, stale, or already answered (a later duplicate never overrides).
      this.counters.staleResponses++;
      return;
    }
    const code = r.code();
    if (code !== ResponseCode.OK) {
      const message = r.errorMessage();
      this.attachCid = null;
      if (this.autoClientId && message === CLIENT_ID_TAKEN) this.machine.post(ClientEvents.ClientIdTaken);
      else this.machine.post(ClientEvents.AttachRejected, new AttachRejectedError(code, message));
      return;
    }
    let grant: AttachGrant;
    try {
      grant = checkAttachResponse(r);
    } catch (err) {
      if (!(err instanceof ClientProtocolError)) throw err;
      this.counters.protocolErrors++;
      // CLIENT-06: this response is dropped and a new attempt follows. If it names a lease, the
      // driver may hold one for us: detach it rather than leave it to expire (CLIENT-19).
      this.attachCid = null;
      this.detachOrphan(cid, r.leaseId(), r.streamId());
      this.machine.post(ClientEvents.ProtocolError, err);
      return;
    }
    this.attachCid = null;
    this.machine.post(ClientEvents.AttachOk, grant);
  }

  private onDetachResponse(frame: Uint8Array): void {
    const r = this.detachRes.wrap(frame);
    // DETACH-01/03: OK or REJECTED ("unknown lease": already gone), the lease is over either way.
    if (this.detachCid !== null && r.correlationId() === this.detachCid) this.machine.post(ClientEvents.DetachDone);
    else this.counters.staleResponses++;
  }

  private onDriverShutdown(frame: Uint8Array): void {
    const s = this.shutdown.wrap(frame);
    this.machine.post(ClientEvents.DriverShutdown, { reason: s.reason(), message: s.errorMessage() });
  }

  private onLeaseRevoked(frame: Uint8Array): void {
    const r = this.revoked.wrap(frame);
    const reason = r.reason();
    const role = r.role();
    // REVOKE-05: a notice with an unknown reason or role is rejected.
    if (!isLeaseRevokeReason(reason) || !isRole(role)) {
      return this.protocolError(new ClientProtocolError('REVOKE-05', `ShmLeaseRevoked with unknown reason ${reason} or role ${role}`));
    }
    const lease = this.lease;
    const leaseId = r.leaseId();
    const streamId = r.streamId();
    if (lease !== null && leaseId === lease.leaseId && streamId === lease.streamId && role === wireRole(lease.role)) {
      // REVOKE-06 case 1 (duplicates, REVOKE-04, find no lease and are ignored).
      const name = leaseRevokeReasonName(reason) as keyof typeof LeaseRevokeReason;
      this.machine.post(ClientEvents.LeaseLost, { kind: 'revoked', reason: name });
      return;
    }
    if (lease !== null && lease.role === 'consumer' && role === wireRole('producer') && streamId === lease.streamId) {
      // REVOKE-06 case 2: wait for the epoch-bumped announce before resuming.
      this.tracker.producerRevoked(streamId);
      this.emitter.emit('producer-revoked', streamId, leaseId);
      return;
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
    if (this.resendMs > 0) this.resendTimer = this.scheduler.setTimeout(() => this.machine.post(ClientEvents.ResendDue), this.resendMs);
  }

  private detachOrphan(cid: bigint, leaseId: bigint | null, streamId: number | null): void {
    const entry = this.abandoned.find((a) => a.cid === cid);
    this.abandoned = this.abandoned.filter((a) => a !== entry);
    const role = entry?.role ?? this.wanted?.role;
    if (leaseId === null || streamId === null || role === undefined || this.conn === null) return;
    this.counters.orphanLeasesDetached++;
    try {
      this.conn.send(this.requests.detach(this.ids.next(), leaseId, streamId, this.clientId, role));
    } catch {
      // Best effort: the driver expires it otherwise.
    }
  }

  private untrack(): void {
    if (this.trackedStream !== null) this.tracker.untrack(this.trackedStream);
    this.trackedStream = null;
  }

  private abandon(cid: bigint): void {
    // Called from Attaching's exit, before any effect clears `wanted`.
    const role = this.wanted?.role;
    if (role === undefined) return;
    this.abandoned.push({ cid, role });
    if (this.abandoned.length > ABANDONED_MAX) this.abandoned.shift();
  }

  private protocolError(e: ClientProtocolError): void {
    this.counters.protocolErrors++;
    this.emitter.emit('protocol-error', e);
  }

  private takeLost(): Lease | null {
    const l = this.lostLease;
    this.lostLease = null;
    return l;
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

  private clear(t: TimerHandle | null): void {
    if (t !== null) this.scheduler.clearTimeout(t);
  }

  private nowNs(): number {
    return this.scheduler.now() * 1e6;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
