/** The admin schema (0x7470) codec, the status document's size cap, and channel parsing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ADMIN_SCHEMA_ID,
  decodeAdminRequest,
  decodeStatusResponse,
  encodeStatusRequest,
  encodeStatusResponse,
  isAdminMessage,
  MAX_STATUS_DOCUMENT_BYTES,
} from '../../src/transport/admin-codec.js';
import { parseChannel } from '../../src/transport/channel.js';
import { statusJson, type StatusDocument } from '../../src/transport/status-document.js';
import { TransportError } from '../../src/transport/transport-error.js';

describe('admin codec', () => {
  test('StatusRequest: 16 bytes, schema 29808 template 1, correlation id round-trips', () => {
    const b = encodeStatusRequest(-5n);
    assert.equal(b.length, 16);
    assert.deepEqual([...b.subarray(0, 8)], [8, 0, 1, 0, 0x70, 0x74, 1, 0]);
    assert.equal(ADMIN_SCHEMA_ID, 29808);
    assert.ok(isAdminMessage(b, 0, b.length));
    assert.deepEqual(decodeAdminRequest(b, 0, b.length), { kind: 'status', correlationId: -5n });
  });

  test('a truncated request or an unknown template is invalid, not an exception', () => {
    const b = encodeStatusRequest(1n);
    assert.equal(decodeAdminRequest(b, 0, 12).kind, 'invalid');
    b[2] = 9;
    assert.deepEqual(decodeAdminRequest(b, 0, b.length), { kind: 'invalid', reason: 'unknown admin template 9' });
  });

  test('StatusResponse round-trips UTF-8 JSON; other messages decode to null; bad ones throw', () => {
    const r = encodeStatusResponse(42n, '{"x":"é"}');
    assert.deepEqual(decodeStatusResponse(r), { correlationId: 42n, document: '{"x":"é"}' });
    assert.equal(decodeStatusResponse(encodeStatusRequest(1n)), null);
    assert.equal(decodeStatusResponse(new Uint8Array(16)), null);
    assert.throws(() => decodeStatusResponse(r.subarray(0, r.length - 1)), TransportError);
    assert.throws(() => encodeStatusResponse(1n, 'x'.repeat(MAX_STATUS_DOCUMENT_BYTES + 1)), RangeError);
  });

  test('a document too large for one frame is cut (leases first) and marked truncated', () => {
    const lease = { leaseId: 1, clientId: 1, role: 'CONSUMER' as const, streamId: 1, nodeId: 1, expiryNs: '1', expiresInMs: 1, connection: 1 };
    const doc: StatusDocument = {
      driver: { state: 'Running', instanceId: 'i', namespace: 'n', channel: 'unix:/x', pid: 1, uptimeMs: 1 },
      totals: { streams: 0, leases: 5000, connections: 1 },
      streams: [],
      leases: Array.from({ length: 5000 }, (_, i) => ({ ...lease, leaseId: i })),
      counters: { driver: {}, transport: {} },
      process: { memory: { rss: 1, heapUsed: 1, heapTotal: 1, external: 1, arrayBuffers: 1 }, cpu: { userMs: 1, systemMs: 1 }, eventLoop: null },
      truncated: false,
    };
    const json = statusJson(doc);
    assert.ok(Buffer.byteLength(json) <= MAX_STATUS_DOCUMENT_BYTES);
    const back = JSON.parse(json) as StatusDocument;
    assert.equal(back.truncated, true);
    assert.equal(back.totals.leases, 5000);
    assert.ok(back.leases.length > 0 && back.leases.length < 5000);
    assert.equal(JSON.parse(statusJson({ ...doc, leases: [] })).truncated, false);
  });
});

describe('channel strings', () => {
  test('unix:<absolute path> is accepted', () => {
    assert.deepEqual(parseChannel('unix:/run/tp/control.sock'), { kind: 'unix', path: '/run/tp/control.sock', channel: 'unix:/run/tp/control.sock' });
  });

  for (const [channel, why] of [
    ['aeron:ipc', /Aeron/],
    ['aeron:udp?endpoint=localhost:40123', /Aeron/],
    ['unix:relative/control.sock', /unix:<absolute path>/],
    ['/abs/without/scheme', /unix:<absolute path>/],
    [`unix:/${'x'.repeat(120)}`, /107 bytes/],
  ] as const) {
    test(`${channel.slice(0, 40)} is refused with a clear message`, () => {
      assert.throws(() => parseChannel(channel), (e: unknown) => e instanceof TransportError && e.code === 'TP_ERR_TRANSPORT_BAD_CHANNEL' && why.test(e.message));
    });
  }
});
