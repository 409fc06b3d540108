/**
 * Test harness for the embedded driver: a manual clock, an in-memory SHM backend (with failure
 * injection), a sink that decodes everything the driver sends, and encoders for client requests.
 */
import {
  FrameDescriptorDecoder,
  HugepagesPolicy,
  MessageHeaderDecoder,
  Role,
  ShmAttachRequestEncoder,
  ShmAttachResponseDecoder,
  ShmDetachRequestEncoder,
  ShmDetachResponseDecoder,
  ShmDriverShutdownDecoder,
  ShmDriverShutdownRequestEncoder,
  ShmLeaseKeepaliveEncoder,
  ShmLeaseRevokedDecoder,
  ShmPoolAnnounceDecoder,
  ConsumerConfigDecoder,
  ConsumerHelloEncoder,
  Bool,
  Mode,
  type ShutdownReason,
} from '../../src/sbe/index.js';
import { ManualClock } from '../../src/driver/clock.js';
import type { DriverConfig, PoliciesSection, ProfileConfig } from '../../src/driver/config/driver-config.js';
import { Driver } from '../../src/driver/driver.js';
import type { ProvisionedEpoch, ShmBackend } from '../../src/driver/shm-backend.js';

export const PROFILE: ProfileConfig = {
  name: 'small',
  headerNslots: 8,
  headerSlotBytes: 256,
  payloadPools: [
    { poolId: 1, strideBytes: 4096 },
    { poolId: 2, strideBytes: 65536 },
  ],
};

export function testConfig(policies: Partial<PoliciesSection> = {}, extra: Partial<DriverConfig> = {}): DriverConfig {
  return {
    driver: {
      instanceId: 'test',
      controlChannel: 'unix:/tmp/tp-test/control.sock',
      controlStreamId: 1000,
      announceChannel: 'unix:/tmp/tp-test/control.sock',
      announceStreamId: 1000,
      qosChannel: 'unix:/tmp/tp-test/control.sock',
      qosStreamId: 1200,
      streamIdRange: { start: 20000, end: 20002 },
      descriptorStreamIdRange: { start: 31000, end: 31001 },
      controlStreamIdRange: null,
    },
    shm: {
      baseDir: '/tmp/tp-test',
      namespace: 'default',
      requireHugepages: false,
      pageSizeBytes: 4096,
      permissionsMode: 0o660,
      allowedBaseDirs: ['/tmp/tp-test'],
    },
    policies: {
      allowDynamicStreams: true,
      defaultProfile: 'small',
      announcePeriodMs: 1000,
      leaseKeepaliveIntervalMs: 1000,
      leaseExpiryGraceIntervals: 3,
      prefaultShm: false,
      reuseExistingShm: false,
      mlockShm: false,
      cleanupShmOnExit: false,
      epochGcEnabled: true,
      epochGcKeep: 2,
      epochGcMinAgeNs: 3_000_000_000n,
      epochGcOnStartup: false,
      shutdownTimeoutMs: 2000,
      shutdownToken: 'secret',
      revokeOnDisconnect: true,
      ...policies,
    },
    profiles: new Map([['small', PROFILE]]),
    streams: [{ name: 'cam', streamId: 10000, profile: 'small' }],
    ...extra,
  };
}

/** In-memory SHM: records provisioned epochs; `failNext` makes the next provision throw. */
export class FakeShm implements ShmBackend {
  readonly provisioned: ProvisionedEpoch[] = [];
  readonly collected: { streamId: number; epoch: bigint }[] = [];
  readonly removed: { streamId: number; epoch: bigint }[] = [];
  onDisk = new Map<number, bigint>();
  failNext: string | null = null;
  /** The namespace directory the fake URIs name. */
  uriRoot = '/tmp/tp-test/tensorpool-u/default';

  provision(streamId: number, epoch: bigint, profile: ProfileConfig): ProvisionedEpoch {
    if (this.failNext !== null) {
      const m = this.failNext;
      this.failNext = null;
      throw new Error(m);
    }
    const dir = `${this.uriRoot}/${streamId}/${epoch}`;
    const p: ProvisionedEpoch = {
      streamId,
      epoch,
      header: { uri: `shm:file?path=${dir}/header.ring`, nslots: profile.headerNslots },
      pools: profile.payloadPools.map((pool) => ({
        poolId: pool.poolId,
        strideBytes: pool.strideBytes,
        nslots: profile.headerNslots,
        uri: `shm:file?path=${dir}/${pool.poolId}.pool`,
      })),
    };
    this.provisioned.push(p);
    const prev = this.onDisk.get(streamId) ?? 0n;
    if (epoch > prev) this.onDisk.set(streamId, epoch);
    return p;
  }
  highestEpochOnDisk(streamId: number): bigint {
    return this.onDisk.get(streamId) ?? 0n;
  }
  collect(streamId: number, epoch: bigint): void {
    this.collected.push({ streamId, epoch });
  }
  collectAll(): void {}
  removeEpoch(streamId: number, epoch: bigint): void {
    this.removed.push({ streamId, epoch });
  }
}

export type Sent =
  | { kind: 'attach'; to: number; correlationId: bigint; code: number; leaseId: bigint | null; streamId: number | null; epoch: bigint | null; nodeId: number | null; expiry: bigint | null; pools: number; poolNslots: number[]; headerNslots: number | null; headerSlotBytes: number | null; headerUri: string; error: string }
  | { kind: 'detach'; to: number; correlationId: bigint; code: number; error: string }
  | { kind: 'revoked'; to: number; leaseId: bigint; streamId: number; clientId: number; role: number; reason: number; timestampNs: bigint }
  | { kind: 'announce'; to: number; streamId: number; producerId: number; epoch: bigint; headerNslots: number; pools: number; headerUri: string; timestampNs: bigint }
  | { kind: 'shutdown'; to: number; reason: number; error: string }
  | { kind: 'descriptor'; to: number; streamId: number; epoch: bigint; seq: bigint }
  | { kind: 'config'; to: number; streamId: number; consumerId: number; descriptorStreamId: number; controlStreamId: number; descriptorChannel: string; controlChannel: string };

export class CapturingSink {
  readonly sent: Sent[] = [];
  /** The raw bytes of every message in `sent`, same order (for byte-level and full-field checks). */
  readonly frames: Uint8Array[] = [];
  /** The raw bytes of the messages the last `take()` returned, same order. */
  lastFrames: Uint8Array[] = [];
  private readonly h = new MessageHeaderDecoder();
  private readonly attach = new ShmAttachResponseDecoder();
  private readonly detach = new ShmDetachResponseDecoder();
  private readonly revoked = new ShmLeaseRevokedDecoder();
  private readonly announce = new ShmPoolAnnounceDecoder();
  private readonly shutdown = new ShmDriverShutdownDecoder();
  private readonly config = new ConsumerConfigDecoder();

  send(to: number, buffer: Uint8Array, offset: number, length: number): void {
    const b = buffer.slice(offset, offset + length);
    this.frames.push(b);
    const h = this.h.wrap(b);
    const key = `${h.schemaId()}/${h.templateId()}`;
    switch (key) {
      case '901/2': {
        const a = this.attach.wrap(b);
        const pools = a.payloadPools();
        const poolNslots: number[] = [];
        while (pools.hasNext()) poolNslots.push(pools.next().poolNslots());
        this.sent.push({
          kind: 'attach', to, correlationId: a.correlationId(), code: a.code(), leaseId: a.leaseId(), streamId: a.streamId(),
          epoch: a.epoch(), nodeId: a.nodeId(), expiry: a.leaseExpiryTimestampNs(), pools: pools.count(), poolNslots,
          headerNslots: a.headerNslots(), headerSlotBytes: a.headerSlotBytes(), headerUri: a.headerRegionUri(), error: a.errorMessage(),
        });
        return;
      }
      case '901/4': {
        const d = this.detach.wrap(b);
        this.sent.push({ kind: 'detach', to, correlationId: d.correlationId(), code: d.code(), error: d.errorMessage() });
        return;
      }
      case '901/7': {
        const r = this.revoked.wrap(b);
        this.sent.push({ kind: 'revoked', to, leaseId: r.leaseId(), streamId: r.streamId(), clientId: r.clientId(), role: r.role(), reason: r.reason(), timestampNs: r.timestampNs() });
        return;
      }
      case '901/6': {
        const s = this.shutdown.wrap(b);
        this.sent.push({ kind: 'shutdown', to, reason: s.reason(), error: s.errorMessage() });
        return;
      }
      case '900/1': {
        const a = this.announce.wrap(b);
        const pools = a.payloadPools();
        this.sent.push({ kind: 'announce', to, streamId: a.streamId(), producerId: a.producerId(), epoch: a.epoch(), headerNslots: a.headerNslots(), pools: pools.count(), headerUri: a.headerRegionUri(), timestampNs: a.announceTimestampNs() });
        return;
      }
      case '900/4': {
        const d = new FrameDescriptorDecoder().wrap(b);
        this.sent.push({ kind: 'descriptor', to, streamId: d.streamId(), epoch: d.epoch(), seq: d.seq() });
        return;
      }
      case '900/3': {
        const c = this.config.wrap(b);
        this.sent.push({ kind: 'config', to, streamId: c.streamId(), consumerId: c.consumerId(), descriptorStreamId: c.descriptorStreamId(), controlStreamId: c.controlStreamId(), descriptorChannel: c.descriptorChannel(), controlChannel: c.controlChannel() });
        return;
      }
    }
    throw new Error(`driver sent an unexpected message ${key}`);
  }

  take(): Sent[] {
    this.lastFrames = this.frames.splice(0);
    return this.sent.splice(0);
  }
}

export interface AttachArgs {
  streamId?: number;
  clientId: number;
  role: 'producer' | 'consumer';
  correlationId?: bigint;
  publishMode?: number | null;
  hugepages?: number;
  layout?: number;
  desiredNodeId?: number | null;
  connection?: number;
}

export class Harness {
  readonly clock = new ManualClock(5_000_000_000);
  readonly shm = new FakeShm();
  readonly sink = new CapturingSink();
  readonly logs: string[] = [];
  readonly driver: Driver;
  private readonly buf = new Uint8Array(4096);
  private nextCorrelation = 1n;

  constructor(config: DriverConfig = testConfig()) {
    this.driver = new Driver({ config, shm: this.shm, sink: this.sink, clock: this.clock.read, logger: (l, m) => void this.logs.push(`${l}: ${m}`) });
    this.driver.start();
  }

  attach(a: AttachArgs): Sent[] {
    const e = new ShmAttachRequestEncoder()
      .wrapAndApplyHeader(this.buf)
      .correlationId(a.correlationId ?? this.nextCorrelation++)
      .streamId(a.streamId ?? 10000)
      .clientId(a.clientId)
      .role(a.role === 'producer' ? Role.PRODUCER : Role.CONSUMER)
      .expectedLayoutVersion(a.layout ?? 0)
      .publishMode(null)
      .requireHugepages(HugepagesPolicy.UNSPECIFIED)
      .desiredNodeId(a.desiredNodeId ?? null);
    const length = e.finish();
    // Enum bytes are written raw so that tests can send values no encoder would (bogus input).
    this.buf[8 + 21] = a.publishMode === undefined || a.publishMode === null ? 255 : a.publishMode;
    this.buf[8 + 22] = a.hugepages ?? HugepagesPolicy.UNSPECIFIED;
    this.driver.updateTime();
    this.driver.receive(a.connection ?? 1, this.buf, 0, length);
    return this.sink.take();
  }

  /** Attaches and returns the OK response (throws otherwise). */
  lease(a: AttachArgs): Extract<Sent, { kind: 'attach' }> {
    const sent = this.attach(a);
    const r = sent.find((s) => s.kind === 'attach');
    if (r === undefined || r.kind !== 'attach' || r.code !== 0) throw new Error(`attach failed: ${JSON.stringify(sent, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    return r;
  }

  /** A keepalive from `connection` (default 1: where `attach` attaches by default; a lease belongs to its connection). */
  keepalive(leaseId: bigint, streamId: number, clientId: number, role: 'producer' | 'consumer', connection = 1): Sent[] {
    const e = new ShmLeaseKeepaliveEncoder()
      .wrapAndApplyHeader(this.buf)
      .leaseId(leaseId)
      .streamId(streamId)
      .clientId(clientId)
      .role(role === 'producer' ? Role.PRODUCER : Role.CONSUMER)
      .clientTimestampNs(1n);
    this.driver.updateTime();
    this.driver.receive(connection, this.buf, 0, e.finish());
    return this.sink.take();
  }

  /** A detach from `connection` (default 1, as `keepalive`). */
  detach(leaseId: bigint, streamId: number, clientId: number, role: 'producer' | 'consumer', correlationId = 77n, connection = 1): Sent[] {
    const e = new ShmDetachRequestEncoder()
      .wrapAndApplyHeader(this.buf)
      .correlationId(correlationId)
      .leaseId(leaseId)
      .streamId(streamId)
      .clientId(clientId)
      .role(role === 'producer' ? Role.PRODUCER : Role.CONSUMER);
    this.driver.updateTime();
    this.driver.receive(connection, this.buf, 0, e.finish());
    return this.sink.take();
  }

  shutdownRequest(token: string, reason: ShutdownReason, message = ''): Sent[] {
    const e = new ShmDriverShutdownRequestEncoder().wrapAndApplyHeader(this.buf).correlationId(9n).reason(reason).token(token).errorMessage(message);
    this.driver.updateTime();
    this.driver.receive(1, this.buf, 0, e.finish());
    return this.sink.take();
  }

  hello(streamId: number, consumerId: number, descriptorChannel: string, descriptorStreamId: number, controlChannel = '', controlStreamId = 0): Sent[] {
    const e = new ConsumerHelloEncoder()
      .wrapAndApplyHeader(this.buf)
      .streamId(streamId)
      .consumerId(consumerId)
      .supportsShm(Bool.TRUE)
      .supportsProgress(Bool.FALSE)
      .mode(Mode.STREAM)
      .maxRateHz(0)
      .expectedLayoutVersion(1)
      .progressIntervalUs(null)
      .progressBytesDelta(null)
      .progressMajorDeltaUnits(null)
      .descriptorStreamId(descriptorStreamId)
      .controlStreamId(controlStreamId)
      .descriptorChannel(descriptorChannel)
      .controlChannel(controlChannel);
    this.driver.updateTime();
    this.driver.receive(1, this.buf, 0, e.finish());
    return this.sink.take();
  }

  raw(bytes: Uint8Array, connection = 1): Sent[] {
    this.driver.updateTime();
    this.driver.receive(connection, bytes, 0, bytes.length);
    return this.sink.take();
  }

  advanceMs(ms: number): Sent[] {
    this.clock.advanceMs(ms);
    this.driver.tick();
    return this.sink.take();
  }
}

export const kinds = (sent: readonly Sent[]): string[] => sent.map((s) => s.kind);

/** Every field of a pool entry (attach response or announce), URIs included. */
export interface PoolFields {
  poolId: number;
  poolNslots: number;
  strideBytes: number;
  regionUri: string;
}

/** Every field of an ShmAttachResponse, decoded from its raw bytes. */
export interface AttachFields {
  correlationId: bigint;
  code: number;
  leaseId: bigint | null;
  leaseExpiryTimestampNs: bigint | null;
  streamId: number | null;
  epoch: bigint | null;
  layoutVersion: number | null;
  headerNslots: number | null;
  headerSlotBytes: number | null;
  nodeId: number | null;
  pools: PoolFields[];
  headerRegionUri: string;
  errorMessage: string;
}

/** Every field of an ShmPoolAnnounce, decoded from its raw bytes. */
export interface AnnounceFields {
  streamId: number;
  producerId: number;
  epoch: bigint;
  announceTimestampNs: bigint;
  announceClockDomain: number;
  layoutVersion: number;
  headerNslots: number;
  headerSlotBytes: number;
  pools: PoolFields[];
  headerRegionUri: string;
}

export function decodeAttachFields(bytes: Uint8Array): AttachFields {
  const a = new ShmAttachResponseDecoder().wrap(bytes);
  const base = {
    correlationId: a.correlationId(), code: a.code(), leaseId: a.leaseId(), leaseExpiryTimestampNs: a.leaseExpiryTimestampNs(),
    streamId: a.streamId(), epoch: a.epoch(), layoutVersion: a.layoutVersion(), headerNslots: a.headerNslots(),
    headerSlotBytes: a.headerSlotBytes(), nodeId: a.nodeId(),
  };
  const g = a.payloadPools();
  const pools: PoolFields[] = [];
  while (g.hasNext()) {
    const p = g.next();
    pools.push({ poolId: p.poolId(), poolNslots: p.poolNslots(), strideBytes: p.strideBytes(), regionUri: p.regionUri() });
  }
  return { ...base, pools, headerRegionUri: a.headerRegionUri(), errorMessage: a.errorMessage() };
}

export function decodeAnnounceFields(bytes: Uint8Array): AnnounceFields {
  const a = new ShmPoolAnnounceDecoder().wrap(bytes);
  const base = {
    streamId: a.streamId(), producerId: a.producerId(), epoch: a.epoch(), announceTimestampNs: a.announceTimestampNs(),
    announceClockDomain: a.announceClockDomain(), layoutVersion: a.layoutVersion(), headerNslots: a.headerNslots(), headerSlotBytes: a.headerSlotBytes(),
  };
  const g = a.payloadPools();
  const pools: PoolFields[] = [];
  while (g.hasNext()) {
    const p = g.next();
    pools.push({ poolId: p.poolId(), poolNslots: p.poolNslots(), strideBytes: p.strideBytes(), regionUri: p.regionUri() });
  }
  return { ...base, pools, headerRegionUri: a.headerRegionUri() };
}

/** The raw frames of the last `take()` paired with their decoded kinds. */
export function lastFrames(h: Harness, kind: Sent['kind']): Uint8Array[] {
  const frames = h.sink.lastFrames;
  const out: Uint8Array[] = [];
  // Re-decode only the header to classify: schema/template as in CapturingSink.send.
  const hd = new MessageHeaderDecoder();
  const key: Record<Sent['kind'], string> = { attach: '901/2', detach: '901/4', revoked: '901/7', shutdown: '901/6', announce: '900/1', config: '900/3', descriptor: '900/4' };
  for (const f of frames) {
    const x = hd.wrap(f);
    if (`${x.schemaId()}/${x.templateId()}` === key[kind]) out.push(f);
  }
  return out;
}
