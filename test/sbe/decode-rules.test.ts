/** PROTOCOL.md §1.6 decoding and forward-compatibility rules, §1.5 nulls and §1.6 rule 10 enums. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DRIVER_SCHEMA_ID, Dtype, FrameDescriptorDecoder, FrameDescriptorEncoder, isDtype, isLeaseRevokeReason, isRole,
  LeaseRevokeReason, MessageHeaderDecoder, Role, roleName, SbeDecodeError, ShmAttachRequestDecoder,
  ShmAttachResponseDecoder, ShmAttachResponseEncoder, ShmLeaseKeepaliveDecoder, ShmLeaseKeepaliveEncoder,
  ShmLeaseRevokedDecoder, ShmLeaseRevokedEncoder, ShmPoolAnnounceDecoder, ShmPoolAnnounceEncoder,
  SlotHeaderDecoder, TensorHeaderDecoder, TensorHeaderEncoder, WIRE_SCHEMA_ID, ResponseCode, ClockDomain,
  DataSourceMetaDecoder, DataSourceMetaEncoder, GROUP_MAX_COUNT,
} from '../../src/sbe/index.js';
import { ascii, hex } from './hex.js';

const KEEPALIVE = hex('19 00 05 00 85 03 01 00 07 00 00 00 00 00 00 00 10 27 00 00 2a 00 00 00 01 00 f9 02 95 00 00 00 00');
const ATTACH_REQUEST = hex('1b 00 01 00 85 03 01 00 01 00 00 00 2a 00 00 00 10 27 00 00 2a 00 00 00 01 01 00 00 00 02 00 ff ff ff ff');

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof SbeDecodeError && e.code === code, `expected ${code}`);
}

function le16(v: number): number[] {
  return [v & 0xff, v >> 8];
}

describe('§1.6 rules 1–2, 9: header checks', () => {
  test('rule 1: fewer than 8 bytes → TP_ERR_SBE_TRUNCATED', () => {
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE.subarray(0, 7)), 'TP_ERR_SBE_TRUNCATED');
    throwsCode(() => new MessageHeaderDecoder().wrap(new Uint8Array(7)), 'TP_ERR_SBE_TRUNCATED');
  });

  test('rule 2: dispatch on schemaId then templateId with MessageHeaderDecoder', () => {
    const h = new MessageHeaderDecoder().wrap(KEEPALIVE);
    assert.equal(h.schemaId(), DRIVER_SCHEMA_ID);
    assert.equal(h.templateId(), ShmLeaseKeepaliveDecoder.TEMPLATE_ID);
    assert.equal(h.blockLength(), 25);
    assert.equal(h.version(), 1);
  });

  test('rule 2: wrong schemaId → TP_ERR_SBE_SCHEMA_MISMATCH, wrong templateId → TP_ERR_SBE_TEMPLATE_MISMATCH', () => {
    const wrongSchema = KEEPALIVE.slice();
    wrongSchema.set(le16(WIRE_SCHEMA_ID), 4);
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(wrongSchema), 'TP_ERR_SBE_SCHEMA_MISMATCH');
    throwsCode(() => new ShmAttachRequestDecoder().wrap(KEEPALIVE), 'TP_ERR_SBE_TEMPLATE_MISMATCH');
  });

  test('rule 9: version 2 is rejected (TP_ERR_SBE_UNSUPPORTED_VERSION); version 0 is accepted', () => {
    const v2 = KEEPALIVE.slice();
    v2[6] = 2;
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(v2), 'TP_ERR_SBE_UNSUPPORTED_VERSION');
    const v0 = KEEPALIVE.slice();
    v0[6] = 0;
    assert.equal(new ShmLeaseKeepaliveDecoder().wrap(v0).actingVersion(), 0);
  });

  test('rule 3: root block longer than the buffer → TP_ERR_SBE_TRUNCATED', () => {
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE.subarray(0, 32)), 'TP_ERR_SBE_TRUNCATED');
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE, 0, 32), 'TP_ERR_SBE_TRUNCATED');
  });

  test('the error carries the offset of the problem', () => {
    const v2 = KEEPALIVE.slice();
    v2[6] = 2;
    try {
      new ShmLeaseKeepaliveDecoder().wrap(v2);
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof SbeDecodeError);
      assert.equal(e.offset, 6);
      assert.match(e.message, /version 2/);
    }
  });
});

describe('§1.6 rules 4–6: the sender blockLength is honoured', () => {
  test('rule 5: a longer root block is skipped; var-data is found after the sender block', () => {
    // ShmLeaseRevoked with 4 unknown trailing bytes in the root block (blockLength 30).
    const buf = new Uint8Array(64);
    const n = new ShmLeaseRevokedEncoder().wrapAndApplyHeader(buf).timestampNs(1n).leaseId(2n).streamId(3).clientId(4)
      .role(Role.CONSUMER).reason(LeaseRevokeReason.EXPIRED).errorMessage('bye').finish();
    const longer = new Uint8Array(n + 4);
    longer.set(buf.subarray(0, 8 + 26));
    longer.set([0xde, 0xad, 0xbe, 0xef], 8 + 26);
    longer.set(buf.subarray(8 + 26, n), 8 + 30);
    longer[0] = 30;
    const d = new ShmLeaseRevokedDecoder().wrap(longer);
    assert.equal(d.actingBlockLength(), 30);
    assert.equal(d.reason(), LeaseRevokeReason.EXPIRED);
    assert.equal(d.errorMessage(), 'bye');
    assert.equal(d.errorMessageOffset(), 8 + 30 + 4);
    assert.equal(d.encodedLength(), n + 4);
  });

  test('rule 6: optional fields beyond a shorter sender block read as null', () => {
    // ShmAttachRequest cut to 23 bytes: desiredNodeId (23..27) absent; requireHugepages (22) present.
    const short = ATTACH_REQUEST.slice(0, 8 + 23);
    short[0] = 23;
    short[8 + 21] = 2;
    const d = new ShmAttachRequestDecoder().wrap(short);
    assert.equal(d.desiredNodeId(), null);
    assert.equal(d.publishMode(), 2);
    assert.equal(d.requireHugepages(), 0);
    assert.equal(d.encodedLength(), 31);
  });

  test('rule 6: ShmAttachResponse with only correlationId and code (blockLength 12) decodes every optional as null', () => {
    const bytes = Uint8Array.from([12, 0, 2, 0, 0x85, 3, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
      10, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x68, 0x69]);
    const d = new ShmAttachResponseDecoder().wrap(bytes);
    assert.equal(d.code(), ResponseCode.REJECTED);
    assert.equal(d.leaseId(), null);
    assert.equal(d.leaseIdNumber(), null);
    assert.equal(d.nodeId(), null);
    assert.equal(d.headerSlotBytes(), null);
    assert.equal(d.payloadPools().count(), 0);
    assert.equal(d.errorMessage(), 'hi');
  });

  test('rule 6: a block too short for a required field → TP_ERR_SBE_BLOCK_LENGTH_TOO_SHORT', () => {
    const short = KEEPALIVE.slice();
    short[0] = 24; // clientTimestampNs (17..25) is required
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(short), 'TP_ERR_SBE_BLOCK_LENGTH_TOO_SHORT');
  });

  test('rule 7: group entries are stepped by the sender entry blockLength', () => {
    const buf = new Uint8Array(256);
    const e = new ShmPoolAnnounceEncoder().wrapAndApplyHeader(buf).streamId(1).producerId(2).epoch(3n)
      .announceTimestampNs(4n).announceClockDomain(ClockDomain.MONOTONIC).layoutVersion(1).headerNslots(8).headerSlotBytes(256);
    const g = e.payloadPoolsCount(2);
    g.next().poolId(1).poolNslots(8).strideBytes(64).regionUri('a');
    g.next().poolId(2).poolNslots(8).strideBytes(128).regionUri('bc');
    const n = e.headerRegionUri('h').finish();
    // Rebuild with entry blockLength 12: two unknown bytes after each entry's block.
    const at = 8 + 35;
    const wide = Uint8Array.from([
      ...buf.subarray(0, at), 12, 0, 2, 0,
      ...buf.subarray(at + 4, at + 14), 0xaa, 0xbb, ...buf.subarray(at + 14, at + 19),
      ...buf.subarray(at + 19, at + 29), 0xcc, 0xdd, ...buf.subarray(at + 29, n),
    ]);
    const d = new ShmPoolAnnounceDecoder().wrap(wide);
    const pools = d.payloadPools();
    pools.next();
    assert.deepEqual([pools.poolId(), pools.strideBytes(), pools.regionUri()], [1, 64, 'a']);
    pools.next();
    assert.deepEqual([pools.poolId(), pools.strideBytes(), pools.regionUri()], [2, 128, 'bc']);
    assert.equal(d.headerRegionUri(), 'h');
    assert.equal(d.encodedLength(), n + 4);
  });

  test('rule 7: an entry blockLength below the entry fields → TP_ERR_SBE_BLOCK_LENGTH_TOO_SHORT', () => {
    const buf = new Uint8Array(128);
    const e = new ShmAttachResponseEncoder().wrapAndApplyHeader(buf).correlationId(1n).code(ResponseCode.OK);
    e.payloadPoolsCount(1).next().poolId(1).poolNslots(1).strideBytes(64).regionUri('x');
    const n = e.finish();
    buf[62] = 9;
    throwsCode(() => new ShmAttachResponseDecoder().wrap(buf, 0, n), 'TP_ERR_SBE_BLOCK_LENGTH_TOO_SHORT');
  });

  test('rule 8: var-data running past the buffer → TP_ERR_SBE_TRUNCATED; over 2^30 → TP_ERR_SBE_VAR_DATA_TOO_LONG', () => {
    const buf = new Uint8Array(64);
    const n = new ShmLeaseRevokedEncoder().wrapAndApplyHeader(buf).timestampNs(1n).leaseId(2n).streamId(3).clientId(4)
      .role(Role.CONSUMER).reason(LeaseRevokeReason.EXPIRED).errorMessage('bye').finish();
    throwsCode(() => new ShmLeaseRevokedDecoder().wrap(buf, 0, n - 1), 'TP_ERR_SBE_TRUNCATED');
    new DataView(buf.buffer).setUint32(34, 0x40000001, true);
    throwsCode(() => new ShmLeaseRevokedDecoder().wrap(buf), 'TP_ERR_SBE_VAR_DATA_TOO_LONG');
    new DataView(buf.buffer).setUint32(34, 0xffffffff, true);
    throwsCode(() => new ShmLeaseRevokedDecoder().wrap(buf), 'TP_ERR_SBE_VAR_DATA_TOO_LONG');
  });

  test('a group count larger than the data → TP_ERR_SBE_TRUNCATED, not a long loop', () => {
    const bytes = Uint8Array.from([16, 0, 8, 0, 0x84, 3, 1, 0, ...new Uint8Array(16), 0, 0, 0xff, 0xff]);
    throwsCode(() => new DataSourceMetaDecoder().wrap(bytes), 'TP_ERR_SBE_TRUNCATED');
  });

  test('wrap windows outside the buffer → TP_ERR_SBE_BAD_ARGUMENT', () => {
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE, 30, 10), 'TP_ERR_SBE_BAD_ARGUMENT');
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE, -1), 'TP_ERR_SBE_BAD_ARGUMENT');
    throwsCode(() => new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE, 0.5), 'TP_ERR_SBE_BAD_ARGUMENT');
  });

  test('a failed wrap leaves the decoder on its previous message', () => {
    const d = new ShmLeaseKeepaliveDecoder().wrap(KEEPALIVE);
    throwsCode(() => d.wrap(KEEPALIVE.subarray(0, 20)), 'TP_ERR_SBE_TRUNCATED');
    assert.equal(d.clientId(), 42);
  });
});

describe('§1.5 nulls and §1.6 rule 10 enums', () => {
  test('FrameDescriptor.traceId uses the explicit null 0; timestampNs/metaVersion the defaults', () => {
    const buf = new Uint8Array(48).fill(0x11);
    new FrameDescriptorEncoder().wrapAndApplyHeader(buf).streamId(1).epoch(2n).seq(3n).finish();
    assert.deepEqual(Array.from(buf.subarray(8 + 20, 8 + 40)),
      [...new Array<number>(12).fill(0xff), ...new Array<number>(8).fill(0)]);
    const d = new FrameDescriptorDecoder().wrap(buf);
    assert.equal(d.timestampNs(), null);
    assert.equal(d.metaVersion(), null);
    assert.equal(d.traceId(), null);
    assert.equal(d.traceIdNumber(), null);
  });

  test('a required field holding the null bit pattern is just a value', () => {
    const buf = new Uint8Array(33);
    new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(buf).leaseId(0xffffffffffffffffn).streamId(0xffffffff)
      .clientId(0).role(Role.CONSUMER).clientTimestampNs(0n).finish();
    const d = new ShmLeaseKeepaliveDecoder().wrap(buf);
    assert.equal(d.leaseId(), 0xffffffffffffffffn);
    assert.equal(d.streamId(), 0xffffffff);
  });

  test('unknown enum values are returned raw and detectable, never mapped to a constant', () => {
    const buf = new Uint8Array(64);
    const n = new ShmLeaseRevokedEncoder().wrapAndApplyHeader(buf).timestampNs(1n).leaseId(2n).streamId(3).clientId(4)
      .role(Role.CONSUMER).reason(LeaseRevokeReason.REVOKED).finish();
    buf[8 + 24] = 9;
    buf[8 + 25] = 0xff;
    const d = new ShmLeaseRevokedDecoder().wrap(buf, 0, n);
    assert.equal(d.role(), 9);
    assert.equal(isRole(d.role()), false);
    assert.equal(roleName(d.role()), undefined);
    assert.equal(d.reason(), 255);
    assert.equal(isLeaseRevokeReason(d.reason()), false);
    assert.equal(roleName(Role.PRODUCER), 'PRODUCER');
  });

  test('Dtype 12 is unassigned and i16 enums decode negative raw values', () => {
    const buf = new Uint8Array(192);
    new TensorHeaderEncoder().wrapAndApplyHeader(buf).dtype(Dtype.BYTES).majorOrder(1).ndims(1).padAlign(0)
      .progressUnit(0).progressStrideBytes(0).finish();
    new DataView(buf.buffer).setInt16(8, 12, true);
    assert.equal(isDtype(new TensorHeaderDecoder().wrap(buf).dtype()), false);
    new DataView(buf.buffer).setInt16(8, -32768, true);
    assert.equal(new TensorHeaderDecoder().wrap(buf).dtype(), -32768);
    assert.equal(isDtype(-32768), false);
  });
});

describe('64-bit fields: bigint and number accessors', () => {
  test('numbers are exact up to 2^53-1 and refused beyond with TP_ERR_SBE_UNSAFE_INTEGER', () => {
    const buf = new Uint8Array(33);
    const e = new ShmLeaseKeepaliveEncoder();
    e.wrapAndApplyHeader(buf).leaseIdNumber(Number.MAX_SAFE_INTEGER).streamId(1).clientId(1).role(Role.PRODUCER)
      .clientTimestampNs(2n ** 53n).finish();
    const d = new ShmLeaseKeepaliveDecoder().wrap(buf);
    assert.equal(d.leaseId(), 2n ** 53n - 1n);
    assert.equal(d.leaseIdNumber(), Number.MAX_SAFE_INTEGER);
    throwsCode(() => d.clientTimestampNsNumber(), 'TP_ERR_SBE_UNSAFE_INTEGER');
  });

  test('signed i64 numbers round-trip negative values', () => {
    const buf = new Uint8Array(128);
    for (const v of [-1, -(2 ** 32), -(2 ** 53) + 1, 2 ** 40 + 5]) {
      new ShmAttachResponseEncoder().wrapAndApplyHeader(buf).correlationIdNumber(v).code(ResponseCode.OK).finish();
      const d = new ShmAttachResponseDecoder().wrap(buf);
      assert.equal(d.correlationIdNumber(), v);
      assert.equal(d.correlationId(), BigInt(v));
    }
    new ShmAttachResponseEncoder().wrapAndApplyHeader(buf).correlationId(-(2n ** 53n)).code(ResponseCode.OK).finish();
    throwsCode(() => new ShmAttachResponseDecoder().wrap(buf).correlationIdNumber(), 'TP_ERR_SBE_UNSAFE_INTEGER');
  });
});

describe('groups at their limits (§1.3)', () => {
  test(`${GROUP_MAX_COUNT} empty DataSourceMeta attributes encode and decode`, () => {
    const buf = new Uint8Array(8 + 16 + 4 + GROUP_MAX_COUNT * 12);
    const e = new DataSourceMetaEncoder().wrapAndApplyHeader(buf).streamId(1).metaVersion(2).timestampNs(3n);
    const g = e.attributesCount(GROUP_MAX_COUNT);
    for (let i = 0; i < GROUP_MAX_COUNT; i++) g.next();
    assert.equal(e.finish(), buf.length);
    const a = new DataSourceMetaDecoder().wrap(buf).attributes();
    assert.equal(a.count(), GROUP_MAX_COUNT);
    let n = 0;
    while (a.hasNext()) n += a.next().keyLength() + 1;
    assert.equal(n, GROUP_MAX_COUNT);
  });

  test('entry accessors before next() → TP_ERR_SBE_NO_CURRENT_ENTRY; next() past the end likewise', () => {
    const buf = new Uint8Array(64);
    const e = new DataSourceMetaEncoder().wrapAndApplyHeader(buf).streamId(1).metaVersion(2).timestampNs(3n);
    e.attributesCount(1).next().key('k').format('text/plain').value(ascii('v'));
    const a = new DataSourceMetaDecoder().wrap(buf, 0, e.finish()).attributes();
    throwsCode(() => a.key(), 'TP_ERR_SBE_NO_CURRENT_ENTRY');
    assert.equal(a.next().format(), 'text/plain');
    assert.deepEqual(Array.from(a.value()), [0x76]);
    throwsCode(() => a.next(), 'TP_ERR_SBE_NO_CURRENT_ENTRY');
  });
});

describe('SHM structures (no message header)', () => {
  test('SlotHeader.headerBytes longer than the slot window → TP_ERR_SBE_TRUNCATED', () => {
    const slot = new Uint8Array(256);
    new DataView(slot.buffer).setUint32(60, 193, true);
    throwsCode(() => new SlotHeaderDecoder().wrap(slot), 'TP_ERR_SBE_TRUNCATED');
    new DataView(slot.buffer).setUint32(60, 192, true);
    assert.equal(new SlotHeaderDecoder().wrap(slot).headerBytesLength(), 192);
  });
});
