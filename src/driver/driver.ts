/**
 * The tensorpool driver, embeddable: fed control frames and a clock, it emits frames to a sink.
 * Transports (src/transport) put it on a socket; tests drive it directly.
 *
 * Lifecycle, lease and stream state live in the three machines of the seed (DriverHsm,
 * LeaseHsm, StreamHsm); this class holds the tables that index them and translates messages
 * into events, as the seed's "Mapping from Current Code" says.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Machine } from '../hsm/index.js';
import {
  Bool,
  ConsumerHelloDecoder,
  DRIVER_SCHEMA_ID,
  FrameDescriptorDecoder,
  HugepagesPolicy,
  LeaseRevokeReason,
  MESSAGE_HEADER_LENGTH,
  Mode,
  PublishMode,
  ResponseCode,
  Role,
  SbeDecodeError,
  ShmAttachRequestDecoder,
  ShmDetachRequestDecoder,
  ShmDriverShutdownRequestDecoder,
  ShmLeaseKeepaliveDecoder,
  ShutdownReason,
  WIRE_SCHEMA_ID,
  isShutdownReason,
} from '../sbe/index.js';
import { nextEpoch as nextEpochAfter } from '../shm/epoch-floor.js';
import { monotonicClock, type Clock } from './clock.js';
import type { DriverConfig, ProfileConfig } from './config/driver-config.js';
import { DriverCounters } from './driver-counters.js';
import { IdRangeAllocator } from './id-range-allocator.js';
import { LeaseDeadlineList } from './lease-deadline-list.js';
import { LeaseIdTable } from './lease-id-table.js';
import { DriverEvents, DriverHsm, DriverStates, type DriverCore } from './machines/driver-hsm.js';
import { LeaseEvents, LeaseHsm, LeaseStates } from './machines/lease-hsm.js';
import { StreamEvents, StreamHsm } from './machines/stream-hsm.js';
import { NodeIdAllocator } from './node-id-allocator.js';
import { Outbox, type DriverSink } from './outbox.js';
import { PerConsumerStreams } from './per-consumer-streams.js';
import {
  addConsumerConnection,
  LeaseRecord,
  removeConsumerConnection,
  StreamRecord,
  type LeaseOwner,
  type StreamOwner,
} from './records.js';
import type { ShmBackend } from './shm-backend.js';

export interface DriverLogger {
  (level: 'info' | 'warn' | 'error', message: string): void;
}

export interface DriverOptions {
  readonly config: DriverConfig;
  readonly shm: ShmBackend;
  readonly sink: DriverSink;
  readonly clock?: Clock;
  readonly logger?: DriverLogger;
}

type LeaseMachine = Machine<LeaseRecord, Record<keyof typeof LeaseEvents, void>, keyof typeof LeaseHsm.states>;
type StreamMachine = Machine<StreamRecord, Record<keyof typeof StreamEvents, void>, keyof typeof StreamHsm.states>;
type DriverMachine = Machine<DriverCore, Record<keyof typeof DriverEvents, void>, keyof typeof DriverHsm.states>;

interface LeaseEntry {
  readonly record: LeaseRecord;
  readonly machine: LeaseMachine;
}

interface StreamEntry {
  readonly record: StreamRecord;
  readonly machine: StreamMachine;
}

/** A read-only view of the driver for status queries and tests. */
export interface DriverSnapshot {
  readonly state: string;
  readonly streams: readonly {
    streamId: number;
    state: string;
    epoch: bigint;
    producerClientId: number;
    consumers: number;
    dynamic: boolean;
    headerUri: string | null;
    /** Region URIs of the payload pools, in pool order (empty while unprovisioned). */
    poolUris: readonly string[];
  }[];
  readonly leases: readonly {
    leaseId: number;
    clientId: number;
    role: 'PRODUCER' | 'CONSUMER';
    streamId: number;
    nodeId: number;
    expiryNs: number;
    connection: number;
  }[];
  readonly counters: Record<string, number>;
}

const NULL_U32 = 0xffffffff;

export class Driver implements DriverCore, LeaseOwner, StreamOwner {
  readonly counters = new DriverCounters();
  /** Driver time of the event being processed (monotonic ns). */
  nowNs: number;
  private readonly leaseLifetimeNs: number;

  private readonly config: DriverConfig;
  private readonly shm: ShmBackend;
  private readonly clock: Clock;
  private readonly logger: DriverLogger;
  private readonly out: Outbox;
  private readonly machine: DriverMachine;

  private readonly leases = new LeaseIdTable<LeaseEntry>();
  private readonly leaseByClient = new Map<number, LeaseEntry>();
  private readonly streams = new Map<number, StreamEntry>();
  private readonly staticStreams = new Map<number, ProfileConfig>();
  private readonly expiry = new LeaseDeadlineList<LeaseRecord>();
  private readonly nodeIds = new NodeIdAllocator();
  private readonly dynamicIds: IdRangeAllocator | null;
  private readonly perConsumer: PerConsumerStreams;
  private nextLeaseId = 1;
  private readonly announceQueue: StreamRecord[] = [];
  private nextAnnounceNs = 0;
  private shutdownAtNs = Infinity;
  /** See `tick`. */
  private expiryHorizonNs = Infinity;
  private shutdownReason: ShutdownReason = ShutdownReason.NORMAL;
  private shutdownMessage = '';
  private readonly shutdownToken: Buffer | null;

  // The message being processed (set by receive before its event is dispatched).
  private conn = 0;
  /** The buffer of the last keepalive read in place, and a view of it (see receive). */
  private inBuffer: Uint8Array | null = null;
  private inView: DataView = new DataView(new ArrayBuffer(0));
  private readonly attachReq = new ShmAttachRequestDecoder();
  private readonly detachReq = new ShmDetachRequestDecoder();
  private readonly keepaliveReq = new ShmLeaseKeepaliveDecoder();
  private readonly shutdownReq = new ShmDriverShutdownRequestDecoder();
  private readonly hello = new ConsumerHelloDecoder();
  private readonly descriptor = new FrameDescriptorDecoder();

  constructor(options: DriverOptions) {
    this.config = options.config;
    this.shm = options.shm;
    this.clock = options.clock ?? monotonicClock();
    this.logger = options.logger ?? (() => undefined);
    this.out = new Outbox(options.sink);
    const p = this.config.policies;
    this.leaseLifetimeNs = p.leaseKeepaliveIntervalMs * p.leaseExpiryGraceIntervals * 1e6;
    for (const s of this.config.streams) {
      const profile = this.config.profiles.get(s.profile);
      if (profile !== undefined) this.staticStreams.set(s.streamId, profile);
    }
    const range = this.config.driver.streamIdRange;
    this.dynamicIds = range === null ? null : new IdRangeAllocator(range, (id) => this.streams.has(id) || this.staticStreams.has(id));
    this.perConsumer = new PerConsumerStreams(this.config.driver.descriptorStreamIdRange, this.config.driver.controlStreamIdRange);
    this.shutdownToken = p.shutdownToken === '' ? null : Buffer.from(p.shutdownToken, 'utf8');
    this.nowNs = this.clock();
    this.machine = DriverHsm.create(this) as DriverMachine;
  }

  /** Init → Running (the seed's initial path). Runs startup GC if configured. */
  start(): this {
    this.nowNs = this.clock();
    if (this.config.policies.epochGcEnabled && this.config.policies.epochGcOnStartup) {
      try {
        this.shm.collectAll(this.nowNs);
      } catch (err) {
        this.log(`startup epoch GC failed: ${errorText(err)}`, 'warn');
      }
    }
    this.machine.start();
    return this;
  }

  get state(): string {
    return this.machine.state;
  }

  // ---- input ---------------------------------------------------------------------------------

  /**
   * Reads the clock into the driver's time. Reading a clock allocates in Node (the result is a
   * boxed double), so `receive` does not: transports call this once per batch of messages read,
   * which keeps keepalive handling allocation-free. `tick`, `connectionClosed` and `close` read
   * the clock themselves.
   */
  updateTime(): void {
    this.nowNs = this.clock();
  }

  /**
   * Processes one control message from `connection`, at the time of the last `updateTime` or
   * `tick`. Never throws for bad input: malformed frames are counted and dropped, or answered
   * with an error response where the request can be identified (every drop has a counter).
   */
  receive(connection: number, buffer: Uint8Array, offset = 0, length = buffer.length - offset): void {
    this.conn = connection;
    this.counters.framesReceived++;
    // The hottest message takes a path of its own (issue 5, keepalives/s): a keepalive of the
    // exact v0/v1 size cannot throw once its header is checked here, and never queues an
    // announce, so it skips the try frame and the announce flush. Any other shape of keepalive
    // (a longer block from a newer minor version, a bad block length) takes the general path.
    if (length === KEEPALIVE_LENGTH && offset >= 0 && offset + KEEPALIVE_LENGTH <= buffer.length) {
      // DataView reads compile to plain loads; a helper per field was a call each (V8 stops
      // inlining along this path). One view per buffer, i.e. per socket read.
      const v = buffer === this.inBuffer ? this.inView : this.viewOfInput(buffer);
      const w1 = v.getUint32(offset + 4, true); // schemaId | version << 16
      if (v.getUint32(offset, true) === KEEPALIVE_HEADER_W0 && (w1 & 0xffff) === DRIVER_SCHEMA_ID && w1 >>> 16 <= ShmLeaseKeepaliveDecoder.SCHEMA_VERSION) {
        // KEEPALIVE-09: processed in Running and in its child Running_Draining only.
        if (this.machine.isInId(DriverStates.Running)) this.keepaliveInPlace(v, offset + MESSAGE_HEADER_LENGTH);
        else this.counters.droppedAfterStop++;
        return;
      }
    }
    try {
      this.dispatchMessage(buffer, offset, length);
    } catch (err) {
      if (err instanceof SbeDecodeError) {
        this.counters.decodeErrors++;
        return;
      }
      this.counters.internalErrors++;
      this.log(`internal error while handling a message: ${errorText(err)}`, 'error');
    }
    this.flushAnnounces();
  }

  /**
   * Advances timers (announces, expiry, shutdown deadline). Call often (e.g. every 10 ms).
   *
   * `expiryHorizonNs`: expire only leases whose deadline lies before it (default: now). A
   * transport passes the last moment up to which it has read every connection (the socket
   * server: the end of its previous tick, before its event loop polled the sockets again), so a
   * keepalive that arrived in time but was still unread in a socket buffer — after a stall, or
   * a long burst of reads — never expires its lease (KEEPALIVE-03; found by the soak, issue 7).
   */
  tick(expiryHorizonNs = Infinity): void {
    this.nowNs = this.clock();
    this.expiryHorizonNs = expiryHorizonNs;
    this.machine.send(DriverEvents.Tick);
    this.flushAnnounces();
  }

  /**
   * The connection closed (its process exited or crashed): its leases are invalidated at once
   * as EXPIRED, with the same notices, epoch bumps and announces as a keepalive timeout, unless
   * `policies.revoke_on_disconnect` is off.
   */
  connectionClosed(connection: number): void {
    this.nowNs = this.clock();
    // Once Stopped, every lease died with the driver (ShmDriverShutdown, SHUTDOWN-08): nothing
    // is revoked and no epoch is provisioned after cleanup_shm_on_exit ran.
    if (!this.config.policies.revokeOnDisconnect || this.machine.state === 'Stopped') return;
    for (const entry of [...this.leases.values()]) {
      if (entry.record.connection === connection) entry.machine.send(LeaseEvents.LeaseTimeout);
    }
    this.flushAnnounces();
  }

  /** Graceful stop without a request (SHUTDOWN-09): ShmDriverShutdown(NORMAL) now, → Stopped. */
  close(): void {
    this.nowNs = this.clock();
    if (this.machine.state !== 'Stopped') this.machine.send(DriverEvents.Close);
  }

  private dispatchMessage(buffer: Uint8Array, offset: number, length: number): void {
    // The header is peeked, not wrapped: the message decoder that follows checks it in full
    // (bounds, schema, template, version, block length), and wrapping it twice was a tenth of
    // a keepalive's cost.
    if (length < MESSAGE_HEADER_LENGTH || offset + length > buffer.length) {
      this.counters.decodeErrors++;
      return;
    }
    const schema = u16(buffer, offset + 4);
    const template = u16(buffer, offset + 2);
    const version = u16(buffer, offset + 6);
    if (schema === DRIVER_SCHEMA_ID) {
      if (template === 1) {
        if (version > 1) return this.attachUnsupportedVersion(buffer, offset, length, u16(buffer, offset));
        this.attachReq.wrap(buffer, offset, length);
        this.machine.send(DriverEvents.Attach);
        return;
      }
      if (version > 1) {
        this.counters.unsupportedVersion++;
        return;
      }
      switch (template) {
        case 3:
          this.detachReq.wrap(buffer, offset, length);
          this.machine.send(DriverEvents.Detach);
          return;
        case 5:
          // The hottest message. Keepalives are control input that Running polls (the seed's
          // Running Tick handler), processed while the lifecycle machine is in Running or its
          // child Running_Draining (KEEPALIVE-09) — asked of the machine, not a flag — without
          // a DriverHsm event of their own: that dispatch was a fifth of a keepalive's cost.
          // The lease's own LeaseHsm still gets its Keepalive event.
          this.keepaliveReq.wrap(buffer, offset, length);
          if (this.machine.isInId(DriverStates.Running)) this.handleKeepalive();
          else this.counters.droppedAfterStop++;
          return;
        case 8:
          this.shutdownReq.wrap(buffer, offset, length);
          this.handleShutdownRequest();
          return;
      }
    } else if (schema === WIRE_SCHEMA_ID && template === 2) {
      this.hello.wrap(buffer, offset, length);
      this.machine.send(DriverEvents.ConsumerHello);
      return;
    } else if (schema === WIRE_SCHEMA_ID && template === 4) {
      return this.relayFrameDescriptor(buffer, offset, length);
    }
    this.counters.unknownMessages++;
  }

  /** SCHEMA-02: an attach of a newer schema version is answered UNSUPPORTED (row 0). */
  private attachUnsupportedVersion(buffer: Uint8Array, offset: number, length: number, blockLength: number): void {
    if (blockLength < 8 || length < 16) {
      this.counters.decodeErrors++;
      return;
    }
    const view = new DataView(buffer.buffer, buffer.byteOffset + offset + 8, 8);
    this.counters.attachRejected++;
    this.out.attachError(this.conn, view.getBigInt64(0, true), ResponseCode.UNSUPPORTED, 'unsupported driver schema version');
  }

  // ---- attach (ATTACH, CODE, IDENTITY, PRODUCER; DRIVER_RULES §3.1 order) ---------------------

  handleAttach(): void {
    const q = this.attachReq;
    const cid = q.correlationId();
    const reject = (code: ResponseCode, message: string): void => {
      this.counters.attachRejected++;
      this.out.attachError(this.conn, cid, code, message);
    };
    const role = q.role();
    const publishMode = q.publishMode();
    const hugepages = q.requireHugepages();
    const clientId = q.clientId();
    const requireHugepages = this.config.shm.requireHugepages;
    // Row 2, and an undefined role (unreachable in the RI, answered here).
    if (publishMode !== null && publishMode !== PublishMode.REQUIRE_EXISTING && publishMode !== PublishMode.EXISTING_OR_CREATE) {
      return reject(ResponseCode.UNSUPPORTED, 'unsupported publish_mode');
    }
    if (role !== Role.PRODUCER && role !== Role.CONSUMER) return reject(ResponseCode.INVALID_PARAMS, 'unknown role');
    // Rows 3-5 (ATTACH-11).
    if (hugepages === HugepagesPolicy.HUGEPAGES && !requireHugepages) return reject(ResponseCode.REJECTED, 'hugepages required but unavailable');
    if (hugepages === HugepagesPolicy.STANDARD && requireHugepages) return reject(ResponseCode.REJECTED, 'hugepages required by driver policy');
    if (hugepages !== HugepagesPolicy.UNSPECIFIED && hugepages !== HugepagesPolicy.STANDARD && hugepages !== HugepagesPolicy.HUGEPAGES) {
      return reject(ResponseCode.INVALID_PARAMS, 'unknown hugepages policy');
    }
    // Row 6 (IDENTITY-03/07).
    if (this.leaseByClient.has(clientId)) return reject(ResponseCode.REJECTED, 'client_id already attached');
    // Rows 7-10: which stream (STREAMID-08).
    const requested = q.streamId();
    let entry = this.streams.get(requested);
    let dynamicProfile: ProfileConfig | null = null;
    let streamId = requested;
    if (entry === undefined && !this.staticStreams.has(requested)) {
      const p = this.config.policies;
      if (!p.allowDynamicStreams || publishMode !== PublishMode.EXISTING_OR_CREATE) {
        return reject(ResponseCode.REJECTED, 'stream not provisioned');
      }
      if (this.dynamicIds === null) return reject(ResponseCode.INVALID_PARAMS, 'stream_id_range not configured');
      const profile = this.config.profiles.get(p.defaultProfile);
      if (profile === undefined) return reject(ResponseCode.INVALID_PARAMS, 'profile not found');
      const id = this.dynamicIds.next();
      if (id < 0) return reject(ResponseCode.INVALID_PARAMS, 'stream_id_range exhausted');
      streamId = id;
      dynamicProfile = profile;
    }
    // Row 11 (ATTACH-09).
    const layout = q.expectedLayoutVersion();
    if (layout !== 0 && layout !== 1) return reject(ResponseCode.REJECTED, 'layout_version mismatch');
    const profile = entry?.record.profile ?? dynamicProfile ?? (this.staticStreams.get(streamId) as ProfileConfig);
    // Row 12 (ATTACH-12): unreachable with validated config, kept for embedded callers.
    if (profile.payloadPools.length === 0) return reject(ResponseCode.INVALID_PARAMS, 'stream has no payload pools');
    // Row 15 (PRODUCER-01), checked before any provisioning so a rejected attach changes nothing.
    if (role === Role.PRODUCER && entry?.machine.state === 'PRODUCER_ATTACHED') {
      return reject(ResponseCode.REJECTED, 'producer already attached');
    }
    // Row 17, also checked before provisioning (the RI bumps first and may then reject).
    const nodeId = this.nodeIds.choose(clientId, q.desiredNodeId());
    if (nodeId < 0) return reject(ResponseCode.REJECTED, 'node_id unavailable');

    if (entry === undefined) {
      const record = new StreamRecord(this, streamId, profile, dynamicProfile !== null);
      entry = { record, machine: StreamHsm.create(record).start() as StreamMachine };
      this.streams.set(streamId, entry);
    }
    const stream = entry.record;
    // A consumer is granted the current epoch as it is: if its files were deleted or truncated
    // under the running driver, no consumer could ever map them. Lose them like a failed
    // producer (EPOCH-03): revoke the producer, or re-provision without one, so the grant below
    // names a fresh epoch (found by the fault-injection suite, issue 7). Producers get a new
    // epoch anyway (EPOCH-01a).
    if (role === Role.CONSUMER && stream.regions !== null && this.shm.intact?.(stream.regions) === false) this.regionsLost(entry);
    // Rows 14 and 16: provision the first epoch, or a producer's new epoch (EPOCH-01a). A
    // producer on an unprovisioned stream provisions once, not twice (D12).
    const unprovisioned = entry.machine.state === 'UNCLAIMED';
    if (unprovisioned || role === Role.PRODUCER) {
      try {
        stream.pending = this.shm.provision(streamId, this.nextEpoch(stream), profile, this.nowNs);
      } catch (err) {
        this.counters.provisionFailures++;
        // A dynamic stream created by this attach is forgotten; one that still has leases (UNCLAIMED
        // after a failed re-provisioning) stays, or its id could be handed to a new stream.
        if (stream.dynamic && unprovisioned && stream.producer === null && stream.consumers === 0) this.streams.delete(streamId);
        return reject(ResponseCode.INTERNAL_ERROR, `failed to provision SHM: ${errorText(err)}`);
      }
    }

    // IDENTITY-06: the lease id is allocated after every check.
    const leaseId = this.nextLeaseId++;
    const record = new LeaseRecord(this, leaseId, streamId, clientId, role, nodeId, this.conn);
    const machine = LeaseHsm.create(record).start() as LeaseMachine;
    const lease: LeaseEntry = { record, machine };
    this.nodeIds.take(clientId, nodeId, leaseId);
    this.leases.set(leaseId, lease);
    this.leaseByClient.set(clientId, lease);
    machine.send(LeaseEvents.AttachOk);
    this.expiry.append(record);
    if (role === Role.PRODUCER) {
      stream.producer = record;
      entry.machine.send(StreamEvents.ProducerAttach);
    } else {
      addConsumerConnection(stream, this.conn);
      if (unprovisioned) entry.machine.send(StreamEvents.Provision);
    }
    const regions = stream.regions;
    if (regions === null) throw new Error('stream has no regions after a successful attach');
    this.counters.attachOk++;
    this.out.attachOk(this.conn, cid, {
      leaseId,
      expiryNs: record.expiryNs,
      streamId,
      nodeId,
      regions,
      headerNslots: profile.headerNslots,
    });
    // ATTACH-17: an announce follows every OK attach (flushed after the response).
    this.queueAnnounce(stream);
  }

  rejectAttachDraining(): void {
    this.counters.attachRejected++;
    this.out.attachError(this.conn, this.attachReq.correlationId(), ResponseCode.REJECTED, 'driver draining');
  }

  /**
   * EPOCH-08, never below what is on disk (restarts): src/shm's rule, max(epoch + 1, now,
   * onDisk + 1, 1), which also throws past 2^64 − 1 (EPOCH-06; callers turn that into a
   * provisioning failure).
   */
  private nextEpoch(stream: StreamRecord): bigint {
    return nextEpochAfter(stream.epoch, BigInt(Math.floor(this.nowNs)), this.shm.highestEpochOnDisk(stream.streamId));
  }

  // ---- keepalive (KEEPALIVE) -------------------------------------------------------------------

  /**
   * The ACTIVE lease that every identifying field of a request matches, or undefined: a
   * keepalive or detach must name leaseId, streamId, clientId and role of one lease (DETACH-02,
   * D9 fixed — the RI matches the leaseId alone).
   */
  private activeLease(leaseId: number, streamId: number, clientId: number, role: number): LeaseEntry | undefined {
    const lease = this.leases.get(leaseId);
    if (
      lease === undefined ||
      lease.record.streamId !== streamId ||
      lease.record.clientId !== clientId ||
      lease.record.role !== role ||
      // TRANSPORT.md §4: a lease belongs to the connection that attached it, so another process
      // that read its ids (e.g. from `tensorpool status`) cannot keep it alive or detach it.
      // Without revoke_on_disconnect a lease outlives its connection and may be taken over.
      (this.config.policies.revokeOnDisconnect && lease.record.connection !== this.conn) ||
      lease.machine.stateId !== LeaseStates.ACTIVE
    ) {
      return undefined;
    }
    return lease;
  }

  /** The wrapped keepalive (general path: any valid shape of the message). */
  private handleKeepalive(): void {
    const k = this.keepaliveReq;
    this.keepaliveFor(this.activeLease(k.leaseIdNumber(), k.streamId(), k.clientId(), k.role()));
  }

  /**
   * The fast path's keepalive, read where it lies: `receive` checked its header and length, so
   * its fields are at fixed offsets from `block` (no flyweight wrap, a quarter of the cost).
   */
  private keepaliveInPlace(v: DataView, block: number): void {
    const K = ShmLeaseKeepaliveDecoder;
    const at = block + K.LEASE_ID_OFFSET;
    const hi = v.getUint32(at + 4, true);
    // Lease ids are allocated upward from 1: a small one stays a small integer (a fast Map key).
    const leaseId = hi === 0 ? v.getUint32(at, true) : hi * 0x100000000 + v.getUint32(at, true);
    const role = v.getUint8(block + K.ROLE_OFFSET);
    this.keepaliveFor(this.activeLease(leaseId, v.getUint32(block + K.STREAM_ID_OFFSET, true), v.getUint32(block + K.CLIENT_ID_OFFSET, true), role));
  }

  /** The input view for a new buffer (see receive). */
  private viewOfInput(buffer: Uint8Array): DataView {
    this.inBuffer = buffer;
    this.inView = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    return this.inView;
  }

  /** A keepalive counts only if leaseId, streamId, clientId and role all match (D9 fixed). */
  private keepaliveFor(lease: LeaseEntry | undefined): void {
    if (lease === undefined) {
      this.counters.keepalivesDropped++;
      return;
    }
    this.counters.keepalives++;
    const record = lease.record;
    const before = record.expiryNs;
    lease.machine.send(LeaseEvents.Keepalive);
    // Unchanged expiry = already refreshed at this driver time (several keepalives of one
    // lease in one read): it already sits behind every earlier deadline, so it stays.
    if (record.expiryNs !== before) this.expiry.moveToTail(record);
  }

  // ---- detach (DETACH) -------------------------------------------------------------------------

  handleDetach(): void {
    const d = this.detachReq;
    const cid = d.correlationId();
    const lease = this.activeLease(d.leaseIdNumber(), d.streamId(), d.clientId(), d.role());
    if (lease === undefined) {
      this.counters.detachRejected++;
      this.out.detachResponse(this.conn, cid, ResponseCode.REJECTED, 'unknown lease');
      return;
    }
    // DETACH-07 order: revoke notice → [producer: bump] → announce → response.
    lease.machine.send(LeaseEvents.Detach);
    this.flushAnnounces();
    this.counters.detachOk++;
    this.out.detachResponse(this.conn, cid, ResponseCode.OK, '');
  }

  /** The current epoch's region files are gone or short (see handleAttach). */
  private regionsLost(entry: StreamEntry): void {
    const stream = entry.record;
    this.counters.regionsLost++;
    this.log(`stream ${stream.streamId}: the region files of epoch ${stream.epoch} were deleted or truncated; moving to a new epoch`, 'warn');
    const producer = stream.producer === null ? undefined : this.leases.get(stream.producer.leaseId);
    if (producer !== undefined) {
      // REVOKE-02 path: notice, new epoch, announce (revokeLease provisions it).
      producer.machine.send(LeaseEvents.Revoke);
      return;
    }
    try {
      stream.pending = this.shm.provision(stream.streamId, this.nextEpoch(stream), stream.profile, this.nowNs);
    } catch (err) {
      this.counters.provisionFailures++;
      this.log(`stream ${stream.streamId}: failed to provision a new epoch after losing its regions: ${errorText(err)}`, 'error');
    }
    entry.machine.send(StreamEvents.RegionsLost);
  }

  // ---- revocation (REVOKE, EPOCH-01b) ------------------------------------------------------------

  /** Called from the lease machine's EXPIRED/DETACHED/REVOKED transition effects. */
  revokeLease(lease: LeaseRecord, reason: LeaseRevokeReason): void {
    const entry = this.leases.get(lease.leaseId);
    if (entry === undefined) return;
    if (reason === LeaseRevokeReason.EXPIRED) this.counters.leasesExpired++;
    else if (reason === LeaseRevokeReason.DETACHED) this.counters.leasesDetached++;
    else this.counters.leasesRevoked++;
    // REVOKE-01/03: the notice goes out first, before any epoch-bumped announce.
    this.out.leaseRevoked(this.nowNs, lease.leaseId, lease.streamId, lease.clientId, lease.role, reason);
    this.leases.delete(lease.leaseId);
    this.expiry.remove(lease);
    if (this.leaseByClient.get(lease.clientId) === entry) this.leaseByClient.delete(lease.clientId);
    this.nodeIds.release(lease.nodeId, lease.leaseId);
    const streamEntry = this.streams.get(lease.streamId);
    if (streamEntry === undefined) return;
    const stream = streamEntry.record;
    if (lease.role === Role.PRODUCER && stream.producer === lease) {
      // REVOKE-02: a new epoch so consumers fail closed and remap. A provisioning failure
      // leaves the stream UNCLAIMED (no announce of files that do not exist). A dynamic stream
      // nobody else holds is about to be forgotten (STREAMID-09): it gets no new files that
      // only startup GC would ever collect; it goes UNCLAIMED and the next attach provisions.
      const forgotten = stream.dynamic && stream.consumers === 0;
      if (!forgotten) {
        try {
          stream.pending = this.shm.provision(stream.streamId, this.nextEpoch(stream), stream.profile, this.nowNs);
        } catch (err) {
          this.counters.provisionFailures++;
          this.log(`stream ${stream.streamId}: failed to provision a new epoch after losing its producer: ${errorText(err)}`, 'error');
        }
      }
      streamEntry.machine.send(StreamEvents.ProducerLeaseLost);
    } else if (lease.role === Role.CONSUMER) {
      removeConsumerConnection(stream, lease.connection);
      this.perConsumer.release(lease.clientId, lease.streamId);
    }
    // STREAMID-09 (dynamic streams only, see DEVIATIONS): forget a stream nobody uses.
    if (stream.dynamic && stream.producer === null && stream.consumers === 0) {
      this.flushAnnounces();
      this.streams.delete(stream.streamId);
    }
  }

  // ---- stream machine callbacks ------------------------------------------------------------------

  queueAnnounce(stream: StreamRecord): void {
    if (!this.announceQueue.includes(stream)) this.announceQueue.push(stream);
  }

  epochAdopted(stream: StreamRecord, previous: bigint): void {
    if (stream.epoch === previous) return;
    this.counters.epochBumps++;
    const p = this.config.policies;
    if (!p.epochGcEnabled) return;
    try {
      this.shm.collect(stream.streamId, stream.epoch, this.nowNs);
    } catch (err) {
      this.log(`stream ${stream.streamId}: epoch GC failed: ${errorText(err)}`, 'warn');
    }
  }

  private flushAnnounces(): void {
    const q = this.announceQueue;
    if (q.length === 0) return;
    for (let i = 0; i < q.length; i++) this.announce(q[i] as StreamRecord);
    q.length = 0;
  }

  private announce(stream: StreamRecord): void {
    const r = stream.regions;
    if (r === null) return;
    this.counters.announcesSent++;
    this.out.poolAnnounce(this.nowNs, stream.producer?.clientId ?? 0, stream.profile.headerNslots, r);
  }

  announceAll(): void {
    for (const s of this.streams.values()) this.queueAnnounce(s.record);
  }

  // ---- timers ----------------------------------------------------------------------------------

  pollTimers(): void {
    const now = this.nowNs;
    const p = this.config.policies;
    this.checkExpiry(now < this.expiryHorizonNs ? now : this.expiryHorizonNs);
    if (now >= this.nextAnnounceNs) {
      this.announceAll();
      this.nextAnnounceNs = now + p.announcePeriodMs * 1e6;
    }
  }

  /**
   * KEEPALIVE-03: every lease past its deadline expires. The list's head is the next deadline,
   * so a check with nothing due is one comparison, whatever the number of leases; each expiry
   * unlinks its lease (revokeLease) in O(1). Checked on every tick, so a lease dies within one
   * tick of its deadline (the RI scans once per keepalive interval, KEEPALIVE-08).
   */
  private checkExpiry(now: number): void {
    for (let top = this.expiry.first(); top !== null && top.expiryNs < now; top = this.expiry.first()) {
      const lease = this.leases.get(top.leaseId);
      if (lease === undefined) {
        this.expiry.remove(top);
        continue;
      }
      lease.machine.send(LeaseEvents.LeaseTimeout);
    }
  }

  // ---- shutdown (SHUTDOWN) ---------------------------------------------------------------------

  /** SHUTDOWN-02/07: only with the configured token (constant-time compare); never answered. */
  private handleShutdownRequest(): void {
    const r = this.shutdownReq;
    const token = Buffer.from(r.tokenBytes());
    const reason = r.reason();
    const expected = this.shutdownToken;
    let ok = false;
    if (expected !== null) {
      const same = token.length === expected.length;
      // Compare equal-length buffers either way so timing does not reveal the length match.
      ok = timingSafeEqual(same ? token : expected, expected) && same;
    }
    if (!ok || !isShutdownReason(reason)) {
      this.counters.shutdownRequestsIgnored++;
      this.log(expected === null ? 'shutdown request ignored: no policies.shutdown_token configured' : 'shutdown request ignored: wrong token', 'warn');
      return;
    }
    if (this.machine.state === 'Running') {
      this.shutdownReason = reason;
      this.shutdownMessage = r.errorMessage();
    }
    this.machine.send(DriverEvents.ShutdownRequested);
    // A zero timeout shuts down at once (the RI never does: SHUTDOWN-08 quirk).
    if (this.machine.state === 'Running_Draining' && this.shutdownDue()) this.machine.send(DriverEvents.ShutdownTimeout);
  }

  armShutdownTimer(): void {
    this.shutdownAtNs = this.nowNs + this.config.policies.shutdownTimeoutMs * 1e6;
  }

  shutdownDue(): boolean {
    return this.nowNs >= this.shutdownAtNs;
  }

  countIgnoredShutdownRequest(): void {
    this.counters.shutdownRequestsIgnored++;
  }

  countDroppedAfterStop(): void {
    this.counters.droppedAfterStop++;
  }

  sendDriverShutdown(): void {
    this.flushAnnounces();
    this.out.driverShutdown(this.nowNs, this.shutdownReason, this.shutdownMessage);
  }

  onStopped(): void {
    this.log('driver stopped');
    if (!this.config.policies.cleanupShmOnExit) return;
    for (const s of this.streams.values()) {
      if (s.record.regions === null) continue;
      try {
        this.shm.removeEpoch(s.record.streamId, s.record.epoch);
      } catch (err) {
        this.log(`cleanup of stream ${s.record.streamId} failed: ${errorText(err)}`, 'warn');
      }
    }
  }

  // ---- FrameDescriptor relay (issue 6; a tensorpool extension, DEVIATIONS) ---------------------

  /**
   * The wake-up path of the data plane: a FrameDescriptor from the connection that holds the
   * stream's ACTIVE PRODUCER lease is forwarded, bytes unchanged, to every connection holding a
   * CONSUMER lease on it. From anyone else it is dropped and counted (OWN-08: only the lease
   * holder writes the stream, so only it may say a frame was written). Bypasses the driver
   * machine: a descriptor changes no state, and this path runs per frame, so it allocates
   * nothing. Announces (ANNOUNCE-01) stay broadcasts and are untouched.
   */
  private relayFrameDescriptor(buffer: Uint8Array, offset: number, length: number): void {
    const d = this.descriptor.wrap(buffer, offset, length);
    const entry = this.streams.get(d.streamId());
    const producer = entry?.record.producer ?? null;
    if (
      entry === undefined ||
      producer === null ||
      producer.connection !== this.conn ||
      this.machine.state === 'Stopped' ||
      this.leases.get(producer.leaseId)?.machine.stateId !== LeaseStates.ACTIVE
    ) {
      this.counters.frameDescriptorsDropped++;
      return;
    }
    const to = entry.record.consumerConnections;
    for (let i = 0; i < to.length; i++) this.out.relay(to[i] as number, buffer, offset, d.encodedLength());
    this.counters.frameDescriptorsRelayed++;
  }

  // ---- per-consumer streams (PERCONSUMER-06) -----------------------------------------------------

  handleConsumerHello(): void {
    const h = this.hello;
    const streamId = h.streamId();
    const consumerId = h.consumerId();
    const descChannel = h.descriptorChannel();
    const ctrlChannel = h.controlChannel();
    const descId = h.descriptorStreamId();
    const ctrlId = h.controlStreamId();
    // PERCONSUMER-01: a request exists only with a non-empty channel and a non-zero id.
    const badHalf = (ch: string, id: number): boolean => (ch !== '' && (id === 0 || id === NULL_U32)) || (ch === '' && id !== 0);
    const wants = (ch: string, id: number): boolean => ch !== '' && id !== 0 && id !== NULL_U32;
    const invalid = badHalf(descChannel, descId) || badHalf(ctrlChannel, ctrlId);
    if (!invalid && !wants(descChannel, descId) && !wants(ctrlChannel, ctrlId)) {
      this.counters.consumerHellosIgnored++;
      return;
    }
    const lease = this.leaseByClient.get(consumerId);
    if (lease === undefined || lease.record.role !== Role.CONSUMER || lease.record.streamId !== streamId) {
      this.counters.consumerHellosIgnored++;
      return;
    }
    this.counters.consumerConfigsSent++;
    if (invalid) {
      this.out.consumerConfig(this.conn, streamId, consumerId, Bool.TRUE, Mode.STREAM, 0, 0, '', '');
      return;
    }
    const grant = this.perConsumer.assign(consumerId, streamId, wants(descChannel, descId), wants(ctrlChannel, ctrlId));
    this.out.consumerConfig(
      this.conn,
      streamId,
      consumerId,
      Bool.TRUE,
      Mode.STREAM,
      grant.descriptorStreamId,
      grant.controlStreamId,
      grant.descriptorStreamId === 0 ? '' : descChannel,
      grant.controlStreamId === 0 ? '' : ctrlChannel,
    );
  }

  // ---- introspection -----------------------------------------------------------------------------

  snapshot(): DriverSnapshot {
    return {
      state: this.machine.state,
      streams: [...this.streams.values()].map(({ record: s, machine }) => ({
        streamId: s.streamId,
        state: machine.state,
        epoch: s.epoch,
        producerClientId: s.producer?.clientId ?? 0,
        consumers: s.consumers,
        dynamic: s.dynamic,
        headerUri: s.regions?.header.uri ?? null,
        poolUris: s.regions?.pools.map((p) => p.uri) ?? [],
      })),
      leases: [...this.leases.values()].map(({ record: l }) => ({
        leaseId: l.leaseId,
        clientId: l.clientId,
        role: l.role === Role.PRODUCER ? ('PRODUCER' as const) : ('CONSUMER' as const),
        streamId: l.streamId,
        nodeId: l.nodeId,
        expiryNs: l.expiryNs,
        connection: l.connection,
      })),
      counters: this.counters.snapshot(),
    };
  }

  refreshExpiry(lease: LeaseRecord): void {
    const expiry = this.nowNs + this.leaseLifetimeNs;
    const latest = this.expiry.latestExpiryNs();
    lease.expiryNs = expiry >= latest ? expiry : latest;
  }

  /** Lease machine state by id (tests and status). */
  leaseState(leaseId: number): string | null {
    return this.leases.get(leaseId)?.machine.state ?? null;
  }

  log(message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.logger(level, message);
  }
}

/** A whole v0/v1 ShmLeaseKeepalive: header + its 25-byte block, nothing after it. */
const KEEPALIVE_LENGTH = MESSAGE_HEADER_LENGTH + ShmLeaseKeepaliveDecoder.BLOCK_LENGTH;

/** The first header word of a ShmLeaseKeepalive with exactly its v0/v1 block: blockLength | templateId << 16. */
const KEEPALIVE_HEADER_W0 = ShmLeaseKeepaliveDecoder.BLOCK_LENGTH | (ShmLeaseKeepaliveDecoder.TEMPLATE_ID << 16);

/** Little-endian u16 at `at` (the caller checked the bounds). */
function u16(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
