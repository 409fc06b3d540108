/**
 * Encodes the driver's outgoing messages into one reusable buffer and hands them to the sink.
 * The sink must copy the bytes before returning (they are overwritten by the next message).
 */
import {
  ClockDomain,
  ConsumerConfigEncoder,
  ResponseCode,
  ShmAttachResponseEncoder,
  ShmDetachResponseEncoder,
  ShmDriverShutdownEncoder,
  ShmLeaseRevokedEncoder,
  ShmPoolAnnounceEncoder,
  type Bool,
  type LeaseRevokeReason,
  type Mode,
  type Role,
  type ShutdownReason,
} from '../sbe/index.js';
import type { ProvisionedEpoch } from './shm-backend.js';

/** Send target meaning "every connection" (revocations, announces, shutdown notices). */
export const BROADCAST = -1;

export interface DriverSink {
  /** `connection` is a requester's id or BROADCAST. Copy `buffer[offset, offset+length)`. */
  send(connection: number, buffer: Uint8Array, offset: number, length: number): void;
}

/** SHOULD ≤ 1024 bytes (ATTACH-07); longer messages are cut at a character boundary. */
export const MAX_ERROR_MESSAGE = 1024;

export function truncateMessage(message: string): string {
  // Messages are ASCII (varAscii); anything else is replaced so the encoder never throws.
  // eslint-disable-next-line no-control-regex
  const ascii = message.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_ERROR_MESSAGE ? ascii : ascii.slice(0, MAX_ERROR_MESSAGE);
}

export interface AttachGrant {
  readonly leaseId: number;
  readonly expiryNs: number;
  readonly streamId: number;
  readonly nodeId: number;
  readonly regions: ProvisionedEpoch;
  readonly headerNslots: number;
}

export class Outbox {
  private readonly buf = new Uint8Array(64 * 1024);
  private readonly attach = new ShmAttachResponseEncoder();
  private readonly detach = new ShmDetachResponseEncoder();
  private readonly revoked = new ShmLeaseRevokedEncoder();
  private readonly shutdown = new ShmDriverShutdownEncoder();
  private readonly announce = new ShmPoolAnnounceEncoder();
  private readonly config = new ConsumerConfigEncoder();

  constructor(private readonly sink: DriverSink) {}

  attachOk(to: number, correlationId: bigint, g: AttachGrant): void {
    const e = this.attach
      .wrapAndApplyHeader(this.buf)
      .correlationId(correlationId)
      .code(ResponseCode.OK)
      .leaseIdNumber(g.leaseId)
      .leaseExpiryTimestampNsNumber(Math.floor(g.expiryNs))
      .streamId(g.streamId)
      .epoch(g.regions.epoch)
      .layoutVersion(1)
      .headerNslots(g.headerNslots)
      .headerSlotBytes(256)
      .nodeId(g.nodeId);
    const pools = e.payloadPoolsCount(g.regions.pools.length);
    for (const p of g.regions.pools) {
      pools.next().poolId(p.poolId).poolNslots(p.nslots).strideBytes(p.strideBytes).regionUri(p.uri);
    }
    pools.close();
    e.headerRegionUri(g.regions.header.uri).errorMessage('');
    this.sink.send(to, this.buf, 0, e.finish());
  }

  /** ATTACH-06: every optional field null, no pools, empty URI, the diagnostic. */
  attachError(to: number, correlationId: bigint, code: ResponseCode, message: string): void {
    const e = this.attach
      .wrapAndApplyHeader(this.buf)
      .correlationId(correlationId)
      .code(code)
      .leaseId(null)
      .leaseExpiryTimestampNs(null)
      .streamId(null)
      .epoch(null)
      .layoutVersion(null)
      .headerNslots(null)
      .headerSlotBytes(null)
      .nodeId(null);
    e.payloadPoolsCount(0).close();
    e.headerRegionUri('').errorMessage(truncateMessage(message));
    this.sink.send(to, this.buf, 0, e.finish());
  }

  detachResponse(to: number, correlationId: bigint, code: ResponseCode, message: string): void {
    const e = this.detach.wrapAndApplyHeader(this.buf).correlationId(correlationId).code(code).errorMessage(truncateMessage(message));
    this.sink.send(to, this.buf, 0, e.finish());
  }

  leaseRevoked(nowNs: number, leaseId: number, streamId: number, clientId: number, role: Role, reason: LeaseRevokeReason): void {
    const e = this.revoked
      .wrapAndApplyHeader(this.buf)
      .timestampNsNumber(Math.floor(nowNs))
      .leaseIdNumber(leaseId)
      .streamId(streamId)
      .clientId(clientId)
      .role(role)
      .reason(reason)
      .errorMessage('');
    this.sink.send(BROADCAST, this.buf, 0, e.finish());
  }

  driverShutdown(nowNs: number, reason: ShutdownReason, message: string): void {
    const e = this.shutdown.wrapAndApplyHeader(this.buf).timestampNsNumber(Math.floor(nowNs)).reason(reason).errorMessage(truncateMessage(message));
    this.sink.send(BROADCAST, this.buf, 0, e.finish());
  }

  /** ANNOUNCE-03: monotonic clock domain, layout version 1, pools with nslots = header nslots. */
  poolAnnounce(nowNs: number, producerId: number, headerNslots: number, r: ProvisionedEpoch): void {
    const e = this.announce
      .wrapAndApplyHeader(this.buf)
      .streamId(r.streamId)
      .producerId(producerId)
      .epoch(r.epoch)
      .announceTimestampNsNumber(Math.floor(nowNs))
      .announceClockDomain(ClockDomain.MONOTONIC)
      .layoutVersion(1)
      .headerNslots(headerNslots)
      .headerSlotBytes(256);
    const pools = e.payloadPoolsCount(r.pools.length);
    for (const p of r.pools) {
      pools.next().poolId(p.poolId).poolNslots(p.nslots).strideBytes(p.strideBytes).regionUri(p.uri);
    }
    pools.close();
    e.headerRegionUri(r.header.uri);
    this.sink.send(BROADCAST, this.buf, 0, e.finish());
  }

  /** Forwards a message received from a client as is (the FrameDescriptor relay). */
  relay(to: number, buffer: Uint8Array, offset: number, length: number): void {
    this.sink.send(to, buffer, offset, length);
  }

  consumerConfig(
    to: number,
    streamId: number,
    consumerId: number,
    useShm: Bool,
    mode: Mode,
    descriptorStreamId: number,
    controlStreamId: number,
    descriptorChannel: string,
    controlChannel: string,
  ): void {
    const e = this.config
      .wrapAndApplyHeader(this.buf)
      .streamId(streamId)
      .consumerId(consumerId)
      .useShm(useShm)
      .mode(mode)
      .descriptorStreamId(descriptorStreamId)
      .controlStreamId(controlStreamId)
      .payloadFallbackUri('')
      .descriptorChannel(descriptorChannel)
      .controlChannel(controlChannel);
    this.sink.send(to, this.buf, 0, e.finish());
  }
}
