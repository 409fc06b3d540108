/**
 * Golden vectors: every worked byte example of PROTOCOL.md §5 and SHM_LAYOUT.md §2.4 / §3.3
 * encodes to exactly those bytes and decodes back to those values.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClockDomain, Dtype, HugepagesPolicy, MajorOrder, ProgressUnit, PublishMode, RegionType, ResponseCode, Role,
  ShmAttachRequestDecoder, ShmAttachRequestEncoder, ShmAttachResponseDecoder, ShmAttachResponseEncoder,
  ShmLeaseKeepaliveDecoder, ShmLeaseKeepaliveEncoder, ShmPoolAnnounceDecoder, ShmPoolAnnounceEncoder,
  ShmRegionSuperblockDecoder, ShmRegionSuperblockEncoder, SlotHeaderDecoder, SlotHeaderEncoder,
  TensorHeaderDecoder, TensorHeaderEncoder,
} from '../../src/sbe/index.js';
import { hex, toHex } from './hex.js';
import { ATTACH_RESPONSE_OK_EXAMPLE, ATTACH_RESPONSE_REJECTED_EXAMPLE } from './protocol-examples.js';

const POOL_URI = 'shm:file?path=/dev/shm/tensorpool-alice/default/10000/2000000000/1.pool';
const HEADER_URI = 'shm:file?path=/dev/shm/tensorpool-alice/default/10000/2000000000/header.ring';

function encoded(buf: Uint8Array, length: number): string {
  return toHex(buf.subarray(0, length));
}

describe('PROTOCOL.md §5.1 ShmAttachRequest (35 bytes)', () => {
  const bytes = hex('1b 00 01 00 85 03 01 00 01 00 00 00 2a 00 00 00 10 27 00 00 2a 00 00 00 01 01 00 00 00 02 00 ff ff ff ff');

  test('encodes to the spec bytes', () => {
    const buf = new Uint8Array(64).fill(0xee);
    const n = new ShmAttachRequestEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626433n).streamId(10000).clientId(42).role(Role.PRODUCER).expectedLayoutVersion(1)
      .publishMode(PublishMode.EXISTING_OR_CREATE).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(null)
      .finish();
    assert.equal(n, 35);
    assert.equal(encoded(buf, n), toHex(bytes));
  });

  test('absent desiredNodeId is written as the null 0xffffffff without being set (§1.5)', () => {
    const buf = new Uint8Array(35).fill(0xee);
    new ShmAttachRequestEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626433n).streamId(10000).clientId(42).role(Role.PRODUCER).expectedLayoutVersion(1)
      .publishMode(PublishMode.EXISTING_OR_CREATE).requireHugepages(HugepagesPolicy.UNSPECIFIED);
    assert.equal(toHex(buf), toHex(bytes));
  });

  test('decodes to the spec values', () => {
    const d = new ShmAttachRequestDecoder().wrap(bytes);
    assert.equal(d.correlationId(), 180388626433n);
    assert.equal(d.correlationIdNumber(), 180388626433);
    assert.equal(d.streamId(), 10000);
    assert.equal(d.clientId(), 42);
    assert.equal(d.role(), Role.PRODUCER);
    assert.equal(d.expectedLayoutVersion(), 1);
    assert.equal(d.publishMode(), PublishMode.EXISTING_OR_CREATE);
    assert.equal(d.requireHugepages(), HugepagesPolicy.UNSPECIFIED);
    assert.equal(d.desiredNodeId(), null);
    assert.equal(d.encodedLength(), 35);
  });
});

describe('PROTOCOL.md §5.2 ShmLeaseKeepalive (33 bytes)', () => {
  const bytes = hex('19 00 05 00 85 03 01 00 07 00 00 00 00 00 00 00 10 27 00 00 2a 00 00 00 01 00 f9 02 95 00 00 00 00');

  test('encodes to the spec bytes (bigint and number setters alike)', () => {
    const a = new Uint8Array(33);
    const b = new Uint8Array(33);
    new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(a)
      .leaseId(7n).streamId(10000).clientId(42).role(Role.PRODUCER).clientTimestampNs(2500000000n);
    const n = new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(b)
      .leaseIdNumber(7).streamId(10000).clientId(42).role(Role.PRODUCER).clientTimestampNsNumber(2500000000).finish();
    assert.equal(n, 33);
    assert.equal(toHex(a), toHex(bytes));
    assert.equal(toHex(b), toHex(bytes));
  });

  test('decodes to the spec values', () => {
    const d = new ShmLeaseKeepaliveDecoder().wrap(bytes);
    assert.equal(d.leaseId(), 7n);
    assert.equal(d.leaseIdNumber(), 7);
    assert.equal(d.streamId(), 10000);
    assert.equal(d.clientId(), 42);
    assert.equal(d.role(), Role.PRODUCER);
    assert.equal(d.clientTimestampNs(), 2500000000n);
    assert.equal(d.clientTimestampNsNumber(), 2500000000);
  });
});

describe('PROTOCOL.md §5.3 ShmAttachResponse OK, one pool (235 bytes)', () => {
  const bytes = ATTACH_RESPONSE_OK_EXAMPLE;

  test('the vector is 235 bytes', () => assert.equal(bytes.length, 235));

  test('encodes to the spec bytes', () => {
    const buf = new Uint8Array(512);
    const e = new ShmAttachResponseEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626433n).code(ResponseCode.OK).leaseId(7n).leaseExpiryTimestampNs(5000000000n)
      .streamId(10000).epoch(2000000000n).layoutVersion(1).headerNslots(1024).headerSlotBytes(256).nodeId(1);
    e.payloadPoolsCount(1).next().poolId(1).poolNslots(1024).strideBytes(1048576).regionUri(POOL_URI);
    const n = e.headerRegionUri(HEADER_URI).errorMessage('').finish();
    assert.equal(n, 235);
    assert.equal(encoded(buf, n), toHex(bytes));
  });

  test('an errorMessage never written is written empty by finish() (§1.4)', () => {
    const buf = new Uint8Array(512);
    const e = new ShmAttachResponseEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626433n).code(ResponseCode.OK).leaseId(7n).leaseExpiryTimestampNs(5000000000n)
      .streamId(10000).epoch(2000000000n).layoutVersion(1).headerNslots(1024).headerSlotBytes(256).nodeId(1);
    e.payloadPoolsCount(1).next().poolId(1).poolNslots(1024).strideBytes(1048576).regionUri(POOL_URI);
    assert.equal(encoded(buf, e.headerRegionUri(HEADER_URI).finish()), toHex(bytes));
  });

  test('decodes to the spec values', () => {
    const d = new ShmAttachResponseDecoder().wrap(bytes);
    assert.equal(d.correlationId(), 180388626433n);
    assert.equal(d.code(), ResponseCode.OK);
    assert.equal(d.leaseId(), 7n);
    assert.equal(d.leaseExpiryTimestampNs(), 5000000000n);
    assert.equal(d.streamId(), 10000);
    assert.equal(d.epoch(), 2000000000n);
    assert.equal(d.epochNumber(), 2000000000);
    assert.equal(d.layoutVersion(), 1);
    assert.equal(d.headerNslots(), 1024);
    assert.equal(d.headerSlotBytes(), 256);
    assert.equal(d.nodeId(), 1);
    const pools = d.payloadPools();
    assert.equal(pools.count(), 1);
    assert.ok(pools.hasNext());
    pools.next();
    assert.equal(pools.poolId(), 1);
    assert.equal(pools.poolNslots(), 1024);
    assert.equal(pools.strideBytes(), 1048576);
    assert.equal(pools.regionUriLength(), 71);
    assert.equal(pools.regionUriOffset(), 80);
    assert.equal(pools.regionUri(), POOL_URI);
    assert.ok(!pools.hasNext());
    assert.equal(d.headerRegionUriLength(), 76);
    assert.equal(d.headerRegionUriOffset(), 155);
    assert.equal(d.headerRegionUri(), HEADER_URI);
    assert.equal(d.errorMessageLength(), 0);
    assert.equal(d.errorMessage(), '');
    assert.equal(d.encodedLength(), 235);
  });
});

describe('PROTOCOL.md §5.4 ShmAttachResponse REJECTED (99 bytes)', () => {
  const bytes = ATTACH_RESPONSE_REJECTED_EXAMPLE;

  test('the vector is 99 bytes', () => assert.equal(bytes.length, 99));

  test('encodes with every optional null, an empty group (0a 00 00 00) and empty headerRegionUri', () => {
    const buf = new Uint8Array(128);
    const n = new ShmAttachResponseEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626434n).code(ResponseCode.REJECTED).errorMessage('producer already attached').finish();
    assert.equal(n, 99);
    assert.equal(encoded(buf, n), toHex(bytes));
  });

  test('explicit nulls and an explicit zero-count group give the same bytes', () => {
    const buf = new Uint8Array(128);
    const e = new ShmAttachResponseEncoder().wrapAndApplyHeader(buf)
      .correlationId(180388626434n).code(ResponseCode.REJECTED).leaseId(null).leaseExpiryTimestampNs(null)
      .streamId(null).epoch(null).layoutVersion(null).headerNslots(null).headerSlotBytes(null).nodeId(null);
    e.payloadPoolsCount(0);
    const n = e.headerRegionUri('').errorMessage('producer already attached').finish();
    assert.equal(encoded(buf, n), toHex(bytes));
  });

  test('decodes optional fields as null', () => {
    const d = new ShmAttachResponseDecoder().wrap(bytes);
    assert.equal(d.correlationId(), 180388626434n);
    assert.equal(d.code(), ResponseCode.REJECTED);
    assert.equal(d.leaseId(), null);
    assert.equal(d.leaseIdNumber(), null);
    assert.equal(d.leaseExpiryTimestampNs(), null);
    assert.equal(d.streamId(), null);
    assert.equal(d.epoch(), null);
    assert.equal(d.layoutVersion(), null);
    assert.equal(d.headerNslots(), null);
    assert.equal(d.headerSlotBytes(), null);
    assert.equal(d.nodeId(), null);
    assert.equal(d.payloadPools().count(), 0);
    assert.equal(d.headerRegionUri(), '');
    assert.equal(d.errorMessage(), 'producer already attached');
  });
});

describe('SHM_LAYOUT.md §2.4 header-ring superblock (64 bytes, no message header)', () => {
  const bytes = hex(`31 4d 48 53 4c 50 4f 54 01 00 00 00 00 94 35 77 00 00 00 00 10 27 00 00 01 00 00 00
    00 04 00 00 00 01 00 00 00 00 00 00 92 10 00 00 00 00 00 00 00 94 35 77 00 00 00 00 00 94 35 77 00 00 00 00`);

  test('encodes to the spec bytes; magic is the u64 0x544F504C53484D31 (§2.2)', () => {
    const buf = new Uint8Array(64).fill(0xee);
    const n = new ShmRegionSuperblockEncoder().wrap(buf)
      .magic(0x544f504c53484d31n).layoutVersion(1).epoch(2000000000n).streamId(10000)
      .regionType(RegionType.HEADER_RING).poolId(0).nslots(1024).slotBytes(256).strideBytes(0)
      .pid(4242n).startTimestampNs(2000000000n).activityTimestampNs(2000000000n).finish();
    assert.equal(n, 64);
    assert.equal(toHex(buf), toHex(bytes));
    assert.equal(toHex(buf.subarray(0, 8)), '31 4d 48 53 4c 50 4f 54');
  });

  test('decodes to the spec values', () => {
    const d = new ShmRegionSuperblockDecoder().wrap(bytes);
    assert.equal(d.magic(), 0x544f504c53484d31n);
    assert.equal(d.layoutVersion(), 1);
    assert.equal(d.epoch(), 2000000000n);
    assert.equal(d.streamId(), 10000);
    assert.equal(d.regionType(), RegionType.HEADER_RING);
    assert.equal(d.poolId(), 0);
    assert.equal(d.nslots(), 1024);
    assert.equal(d.slotBytes(), 256);
    assert.equal(d.strideBytes(), 0);
    assert.equal(d.pid(), 4242n);
    assert.equal(d.startTimestampNs(), 2000000000n);
    assert.equal(d.activityTimestampNs(), 2000000000n);
    assert.equal(d.encodedLength(), 64);
  });
});

describe('SHM_LAYOUT.md §3.3 header slot: SlotHeader + embedded TensorHeader (256 bytes)', () => {
  const zeros = (n: number): string => ' 00'.repeat(n);
  const bytes = hex(`0b 00 00 00 00 00 00 00 0c 00 00 00 05 00 00 00 01 00 00 00 00 00 00 75 2b 7d 00 00 00 00
    00 00 00 00 ${zeros(26)} c0 00 00 00 b8 00 34 00 84 03 01 00 01 00 01 00 02 00 00 00 00 00 00
    03 00 00 00 04 00 00 00 ${zeros(24)} 04 00 00 00 01 00 00 00 ${zeros(24)} ${zeros(109)}`);

  test('the slot is 256 bytes', () => assert.equal(bytes.length, 256));

  test('encodes to the spec bytes (headerBytes reserved, TensorHeader written in place)', () => {
    const buf = new Uint8Array(256).fill(0xee);
    const slot = new SlotHeaderEncoder().wrap(buf)
      .seqCommit((5n << 1n) | 1n).valuesLenBytes(12).payloadSlot(5).poolId(1).payloadOffset(0)
      .timestampNs(2100000000n).metaVersion(0);
    buf.fill(0, 34, 60); // pad: SlotHeader.wrap leaves SHM untouched, the writer may zero it
    const at = slot.reserveHeaderBytes(192);
    assert.equal(at, 64);
    const th = new TensorHeaderEncoder().wrapAndApplyHeader(buf, at, 192)
      .dtype(Dtype.UINT8).majorOrder(MajorOrder.ROW).ndims(2).padAlign(0).progressUnit(ProgressUnit.NONE)
      .progressStrideBytes(0).putDims([3, 4]).putStrides([4, 1]);
    assert.equal(th.finish(), 192);
    assert.equal(slot.finish(), 256);
    assert.equal(toHex(buf), toHex(bytes));
  });

  test('PROTOCOL.md §3.16: the embedded header is b8 00 34 00 84 03 01 00', () => {
    const buf = new Uint8Array(192);
    new TensorHeaderEncoder().wrapAndApplyHeader(buf).dtype(Dtype.FLOAT32).majorOrder(MajorOrder.ROW).ndims(1);
    assert.equal(toHex(buf.subarray(0, 8)), 'b8 00 34 00 84 03 01 00');
  });

  test('decodes to the spec values', () => {
    const slot = new SlotHeaderDecoder().wrap(bytes);
    assert.equal(slot.seqCommit(), 11n);
    assert.equal(slot.valuesLenBytes(), 12);
    assert.equal(slot.payloadSlot(), 5);
    assert.equal(slot.poolId(), 1);
    assert.equal(slot.payloadOffset(), 0);
    assert.equal(slot.timestampNs(), 2100000000n);
    assert.equal(slot.metaVersion(), 0);
    assert.equal(slot.headerBytesLength(), 192);
    assert.equal(slot.headerBytesOffset(), 64);
    assert.equal(slot.encodedLength(), 256);
    const t = new TensorHeaderDecoder().wrap(bytes, slot.headerBytesOffset(), slot.headerBytesLength());
    assert.equal(t.actingBlockLength(), 184);
    assert.equal(t.dtype(), Dtype.UINT8);
    assert.equal(t.majorOrder(), MajorOrder.ROW);
    assert.equal(t.ndims(), 2);
    assert.equal(t.maxDims(), 8);
    assert.equal(t.padAlign(), 0);
    assert.equal(t.progressUnit(), ProgressUnit.NONE);
    assert.equal(t.progressStrideBytes(), 0);
    assert.deepEqual(Array.from({ length: 8 }, (_, i) => t.dims(i)), [3, 4, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from({ length: 8 }, (_, i) => t.strides(i)), [4, 1, 0, 0, 0, 0, 0, 0]);
    assert.equal(t.encodedLength(), 192);
  });
});

describe('PROTOCOL.md §3.4 ShmPoolAnnounce layout (encoded size formula)', () => {
  test('size = 8 + 35 + 4 + Σ(14 + len(uri)) + 4 + len(headerRegionUri), fields at the spec offsets', () => {
    const buf = new Uint8Array(512);
    const e = new ShmPoolAnnounceEncoder().wrapAndApplyHeader(buf)
      .streamId(10000).producerId(42).epoch(2000000000n).announceTimestampNs(2500000000n)
      .announceClockDomain(ClockDomain.MONOTONIC).layoutVersion(1).headerNslots(1024).headerSlotBytes(256);
    const pools = e.payloadPoolsCount(2);
    pools.next().poolId(1).poolNslots(1024).strideBytes(1048576).regionUri('shm:file?path=/a/1.pool');
    pools.next().poolId(2).poolNslots(1024).strideBytes(4194304).regionUri('shm:file?path=/a/2.pool');
    const n = e.headerRegionUri('shm:file?path=/a/header.ring').finish();
    assert.equal(n, 8 + 35 + 4 + 2 * (14 + 'shm:file?path=/a/1.pool'.length) + 4 + 'shm:file?path=/a/header.ring'.length);
    assert.equal(toHex(buf.subarray(0, 8)), '23 00 01 00 84 03 01 00');
    assert.equal(toHex(buf.subarray(8 + 24, 8 + 35)), '01 01 00 00 00 00 04 00 00 00 01');
    assert.equal(toHex(buf.subarray(43, 47)), '0a 00 02 00');
    const d = new ShmPoolAnnounceDecoder().wrap(buf, 0, n);
    const g = d.payloadPools();
    g.next();
    assert.equal(g.regionUri(), 'shm:file?path=/a/1.pool');
    g.next();
    assert.equal(g.strideBytes(), 4194304);
    assert.equal(d.headerRegionUri(), 'shm:file?path=/a/header.ring');
  });
});
