/** The benchmark operations done with the tensorpool/sbe flyweights (reused, one per loop). */
import {
  ClockDomain, ResponseCode, Role, ShmAttachResponseDecoder, ShmAttachResponseEncoder, ShmLeaseKeepaliveDecoder,
  ShmLeaseKeepaliveEncoder, ShmPoolAnnounceDecoder, ShmPoolAnnounceEncoder,
} from '../../src/sbe/index.js';
import { CLIENT_TIMESTAMP_NS, CORRELATION_ID, EPOCH, EXPIRY_NS, HEADER_URI, LEASE_ID, POOL_URI, sink } from './fixtures.js';
import type { Loop } from '../lib/measure.js';

export function keepaliveEncode(buf: Uint8Array): Loop {
  const e = new ShmLeaseKeepaliveEncoder();
  return (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) {
      len = e.wrapAndApplyHeader(buf).leaseId(LEASE_ID).streamId(10000).clientId(i >>> 0).role(Role.PRODUCER)
        .clientTimestampNs(CLIENT_TIMESTAMP_NS).finish();
    }
    sink.n += len;
  };
}

/** Decode with the allocation-free number accessors for the two u64 fields. */
export function keepaliveDecode(buf: Uint8Array): Loop {
  const d = new ShmLeaseKeepaliveDecoder();
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      d.wrap(buf);
      acc += d.leaseIdNumber() + d.streamId() + d.clientId() + d.role() + d.clientTimestampNsNumber();
    }
    sink.n += acc;
  };
}

/** Decode with the bigint accessors (V8 allocates every bigint a DataView returns). */
export function keepaliveDecodeBigint(buf: Uint8Array): Loop {
  const d = new ShmLeaseKeepaliveDecoder();
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      d.wrap(buf);
      if (d.leaseId() === LEASE_ID) acc++;
      if (d.clientTimestampNs() === CLIENT_TIMESTAMP_NS) acc++;
      acc += d.streamId() + d.clientId() + d.role();
    }
    sink.n += acc;
  };
}

export function attachResponseEncode(buf: Uint8Array): Loop {
  const e = new ShmAttachResponseEncoder();
  return (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) {
      e.wrapAndApplyHeader(buf).correlationId(CORRELATION_ID).code(ResponseCode.OK).leaseId(LEASE_ID)
        .leaseExpiryTimestampNs(EXPIRY_NS).streamId(10000).epoch(EPOCH).layoutVersion(1).headerNslots(1024)
        .headerSlotBytes(256).nodeId(1);
      e.payloadPoolsCount(1).next().poolId(1).poolNslots(1024).strideBytes(1048576).regionUri(POOL_URI);
      len = e.headerRegionUri(HEADER_URI).errorMessage('').finish();
    }
    sink.n += len;
  };
}

/** Decode every fixed field (number accessors) and walk the group; URIs stay views (lengths read). */
export function attachResponseDecode(buf: Uint8Array): Loop {
  const d = new ShmAttachResponseDecoder();
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      d.wrap(buf);
      acc += d.correlationIdNumber() + d.code() + (d.leaseIdNumber() ?? 0) + (d.leaseExpiryTimestampNsNumber() ?? 0);
      acc += (d.streamId() ?? 0) + (d.epochNumber() ?? 0) + (d.layoutVersion() ?? 0) + (d.headerNslots() ?? 0);
      acc += (d.headerSlotBytes() ?? 0) + (d.nodeId() ?? 0);
      const pools = d.payloadPools();
      while (pools.hasNext()) {
        pools.next();
        acc += pools.poolId() + pools.poolNslots() + pools.strideBytes() + pools.regionUriLength();
      }
      acc += d.headerRegionUriLength() + d.errorMessageLength();
    }
    sink.n += acc;
  };
}

export function poolAnnounceEncode(buf: Uint8Array): Loop {
  const e = new ShmPoolAnnounceEncoder();
  return (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) {
      e.wrapAndApplyHeader(buf).streamId(10000).producerId(42).epoch(EPOCH).announceTimestampNs(CLIENT_TIMESTAMP_NS)
        .announceClockDomain(ClockDomain.MONOTONIC).layoutVersion(1).headerNslots(1024).headerSlotBytes(256);
      e.payloadPoolsCount(1).next().poolId(1).poolNslots(1024).strideBytes(1048576).regionUri(POOL_URI);
      len = e.headerRegionUri(HEADER_URI).finish();
    }
    sink.n += len;
  };
}

export function poolAnnounceDecode(buf: Uint8Array): Loop {
  const d = new ShmPoolAnnounceDecoder();
  return (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      d.wrap(buf);
      acc += d.streamId() + d.producerId() + d.epochNumber() + d.announceTimestampNsNumber();
      acc += d.announceClockDomain() + d.layoutVersion() + d.headerNslots() + d.headerSlotBytes();
      const pools = d.payloadPools();
      while (pools.hasNext()) {
        pools.next();
        acc += pools.poolId() + pools.poolNslots() + pools.strideBytes() + pools.regionUriLength();
      }
      acc += d.headerRegionUriLength();
    }
    sink.n += acc;
  };
}
