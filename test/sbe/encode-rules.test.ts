/** Encoder guarantees: nulls for absent values (§1.5), schema order for groups/var-data (§1.1), typed refusals. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConsumerHelloDecoder, ConsumerHelloEncoder, Bool, Mode, ResponseCode, Role, SbeEncodeError, ShmAttachRequestEncoder,
  ShmAttachResponseEncoder, ShmDriverShutdownRequestDecoder, ShmDriverShutdownRequestEncoder,
  ShmLeaseKeepaliveEncoder, ShutdownReason, TensorHeaderEncoder, FrameDescriptorEncoder, ShmDetachResponseEncoder,
  MessageHeaderEncoder, MessageHeaderDecoder, HugepagesPolicy,
} from '../../src/sbe/index.js';
import { toHex } from './hex.js';

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof SbeEncodeError && e.code === code && (message?.test(e.message) ?? true),
    `expected ${code}`);
}

function keepalive(buf = new Uint8Array(64)): ShmLeaseKeepaliveEncoder {
  return new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(buf);
}

describe('value checks (TP_ERR_SBE_VALUE_OUT_OF_RANGE)', () => {
  test('integers outside the field type are refused, not truncated', () => {
    throwsCode(() => keepalive().streamId(2 ** 32), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().streamId(-1), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().streamId(1.5), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().leaseId(-1n), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().leaseId(2n ** 64n), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().leaseIdNumber(2 ** 53), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
    throwsCode(() => keepalive().leaseIdNumber(-1), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
  });

  test('values that are not constants of the enum are refused', () => {
    throwsCode(() => keepalive().role(7 as Role), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /enum/);
    throwsCode(() => new ShmAttachResponseEncoder().wrapAndApplyHeader(new Uint8Array(128)).code(-1 as ResponseCode),
      'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
  });

  test('§1.5: the null sentinel is refused as a value of an optional field (pass null instead)', () => {
    const e = new ShmAttachRequestEncoder().wrapAndApplyHeader(new Uint8Array(64));
    throwsCode(() => e.desiredNodeId(0xffffffff), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /null/);
    const r = new ShmAttachResponseEncoder().wrapAndApplyHeader(new Uint8Array(128));
    throwsCode(() => r.leaseId(2n ** 64n - 1n), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /null/);
    throwsCode(() => r.headerSlotBytes(0xffff), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /null/);
    const f = new FrameDescriptorEncoder().wrapAndApplyHeader(new Uint8Array(64));
    throwsCode(() => f.traceId(0n), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /null/);
    throwsCode(() => f.traceIdNumber(0), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE', /null/);
  });

  test('arrays: more than 8 values or an index past 7 are refused (TP_ERR_SBE_BAD_ARGUMENT)', () => {
    const t = new TensorHeaderEncoder().wrapAndApplyHeader(new Uint8Array(192));
    throwsCode(() => t.putDims([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'TP_ERR_SBE_BAD_ARGUMENT');
    throwsCode(() => t.dims(8, 1), 'TP_ERR_SBE_BAD_ARGUMENT');
    throwsCode(() => t.strides(0, 2 ** 31), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
  });
});

describe('§1.4 var-data', () => {
  test('varAscii refuses non-ASCII text (TP_ERR_SBE_NOT_ASCII) but takes raw bytes', () => {
    const e = new ShmDetachResponseEncoder().wrapAndApplyHeader(new Uint8Array(64)).correlationId(1n).code(ResponseCode.OK);
    throwsCode(() => e.errorMessage('café'), 'TP_ERR_SBE_NOT_ASCII', /U\+00e9/);
    assert.equal(e.errorMessage(Uint8Array.from([0xc3, 0xa9])).finish(), 8 + 12 + 4 + 2);
  });

  test('skipped var-data fields are written empty, in order (absent = length 0)', () => {
    const buf = new Uint8Array(64);
    const n = new ShmDriverShutdownRequestEncoder().wrapAndApplyHeader(buf).correlationId(9n)
      .reason(ShutdownReason.ADMIN).errorMessage('maintenance').finish();
    assert.equal(n, 8 + 9 + 4 + 4 + 11);
    const d = new ShmDriverShutdownRequestDecoder().wrap(buf, 0, n);
    assert.equal(d.tokenLength(), 0);
    assert.equal(d.errorMessage(), 'maintenance');
  });

  test('writing var-data out of order or twice → TP_ERR_SBE_ENCODE_ORDER', () => {
    const e = new ShmDriverShutdownRequestEncoder().wrapAndApplyHeader(new Uint8Array(64)).correlationId(9n)
      .reason(ShutdownReason.ADMIN).errorMessage('x');
    throwsCode(() => e.token('t'), 'TP_ERR_SBE_ENCODE_ORDER');
    throwsCode(() => e.errorMessage('y'), 'TP_ERR_SBE_ENCODE_ORDER');
  });

  test('reserveX writes the length and returns where the bytes go', () => {
    const buf = new Uint8Array(64);
    const e = new ConsumerHelloEncoder().wrapAndApplyHeader(buf).streamId(1).consumerId(2).supportsShm(Bool.TRUE)
      .supportsProgress(Bool.FALSE).mode(Mode.STREAM).maxRateHz(0).expectedLayoutVersion(1).descriptorStreamId(0)
      .controlStreamId(0);
    const at = e.reserveDescriptorChannel(3);
    assert.equal(at, 8 + 39 + 4);
    buf.set([0x61, 0x62, 0x63], at);
    const n = e.finish();
    const d = new ConsumerHelloDecoder().wrap(buf, 0, n);
    assert.equal(d.descriptorChannel(), 'abc');
    assert.equal(d.controlChannel(), '');
    assert.equal(d.progressIntervalUs(), null);
  });
});

describe('§1.3 groups', () => {
  function response(): ShmAttachResponseEncoder {
    return new ShmAttachResponseEncoder().wrapAndApplyHeader(new Uint8Array(256)).correlationId(1n).code(ResponseCode.OK);
  }

  test('counts above 65534 are refused (TP_ERR_SBE_GROUP_TOO_LARGE)', () => {
    throwsCode(() => response().payloadPoolsCount(65535), 'TP_ERR_SBE_GROUP_TOO_LARGE');
    throwsCode(() => response().payloadPoolsCount(-1), 'TP_ERR_SBE_GROUP_TOO_LARGE');
  });

  test('fewer entries than declared → TP_ERR_SBE_ENCODE_ORDER at the next field; more → at next()', () => {
    const a = response();
    a.payloadPoolsCount(2).next().poolId(1).poolNslots(1).strideBytes(64);
    throwsCode(() => a.headerRegionUri('h'), 'TP_ERR_SBE_ENCODE_ORDER', /1 of 2/);
    const b = response();
    const g = b.payloadPoolsCount(1).next().poolId(1).poolNslots(1).strideBytes(64);
    throwsCode(() => g.next(), 'TP_ERR_SBE_ENCODE_ORDER');
    throwsCode(() => b.payloadPoolsCount(1), 'TP_ERR_SBE_ENCODE_ORDER');
  });

  test('a group entry with a required field unset → TP_ERR_SBE_REQUIRED_FIELD_MISSING', () => {
    const e = response();
    e.payloadPoolsCount(1).next().poolId(1).strideBytes(64);
    throwsCode(() => e.finish(), 'TP_ERR_SBE_REQUIRED_FIELD_MISSING', /poolNslots/);
  });

  test('entry fields before next() → TP_ERR_SBE_ENCODE_ORDER', () => {
    throwsCode(() => response().payloadPoolsCount(1).poolId(1), 'TP_ERR_SBE_ENCODE_ORDER');
  });
});

describe('required fields and buffers', () => {
  test('finish() names every required field never set (TP_ERR_SBE_REQUIRED_FIELD_MISSING)', () => {
    throwsCode(() => keepalive().leaseId(1n).role(Role.PRODUCER).finish(), 'TP_ERR_SBE_REQUIRED_FIELD_MISSING',
      /streamId, clientId, clientTimestampNs/);
    throwsCode(() => new ShmAttachRequestEncoder().wrapAndApplyHeader(new Uint8Array(64)).correlationId(1n).streamId(1)
      .clientId(1).role(Role.PRODUCER).expectedLayoutVersion(0).finish(), 'TP_ERR_SBE_REQUIRED_FIELD_MISSING', /^.*requireHugepages[^,]*$/);
    assert.equal(new ShmAttachRequestEncoder().wrapAndApplyHeader(new Uint8Array(64)).correlationId(1n).streamId(1)
      .clientId(1).role(Role.PRODUCER).expectedLayoutVersion(0).requireHugepages(HugepagesPolicy.HUGEPAGES).finish(), 35);
  });

  test('re-wrapping resets the presence tracking', () => {
    const e = keepalive();
    e.leaseId(1n).streamId(1).clientId(1).role(Role.PRODUCER).clientTimestampNs(1n).finish();
    throwsCode(() => e.wrapAndApplyHeader(new Uint8Array(64)).finish(), 'TP_ERR_SBE_REQUIRED_FIELD_MISSING');
  });

  test('too small a buffer → TP_ERR_SBE_BUFFER_TOO_SMALL (fixed part at wrap, var-data when written)', () => {
    throwsCode(() => keepalive(new Uint8Array(32)), 'TP_ERR_SBE_BUFFER_TOO_SMALL');
    const e = new ShmDetachResponseEncoder().wrapAndApplyHeader(new Uint8Array(30)).correlationId(1n).code(ResponseCode.OK);
    throwsCode(() => e.errorMessage('0123456789'), 'TP_ERR_SBE_BUFFER_TOO_SMALL');
    assert.equal(e.errorMessage('01').finish(), 26);
    throwsCode(() => new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(new Uint8Array(64), 40), 'TP_ERR_SBE_BUFFER_TOO_SMALL');
    throwsCode(() => new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(new Uint8Array(64), 70), 'TP_ERR_SBE_BAD_ARGUMENT');
  });

  test('MessageHeaderEncoder writes a header MessageHeaderDecoder reads back', () => {
    const buf = new Uint8Array(8);
    new MessageHeaderEncoder().wrap(buf).blockLength(25).templateId(5).schemaId(901).version(1);
    assert.equal(toHex(buf), '19 00 05 00 85 03 01 00');
    assert.equal(new MessageHeaderDecoder().wrap(buf).schemaId(), 901);
    throwsCode(() => new MessageHeaderEncoder().wrap(buf).version(65536), 'TP_ERR_SBE_VALUE_OUT_OF_RANGE');
  });
});
