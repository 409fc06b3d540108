/**
 * Bad input never crashes the driver nor corrupts its state (DEVELOPERS.md non-negotiable):
 * truncated frames, unknown schemas and templates, newer versions, bogus enums and random
 * bytes get a clear error response or a counted drop. SCHEMA-02, PROTOCOL.md §1.6.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ResponseCode, ShmAttachRequestEncoder, Role, HugepagesPolicy, ShmLeaseKeepaliveEncoder } from '../../src/sbe/index.js';
import { Harness, kinds, type Sent } from './harness.js';

function attachBytes(): Uint8Array {
  const b = new Uint8Array(35);
  new ShmAttachRequestEncoder()
    .wrapAndApplyHeader(b)
    .correlationId(31n)
    .streamId(10000)
    .clientId(3)
    .role(Role.CONSUMER)
    .expectedLayoutVersion(0)
    .publishMode(null)
    .requireHugepages(HugepagesPolicy.UNSPECIFIED)
    .desiredNodeId(null)
    .finish();
  return b;
}

describe('malformed control frames', () => {
  test('truncated frames are dropped and counted, with no response', () => {
    const h = new Harness();
    const full = attachBytes();
    for (let n = 0; n < full.length; n++) {
      assert.deepEqual(h.raw(full.subarray(0, n)), [], `prefix of ${n} bytes`);
    }
    assert.equal(h.driver.counters.decodeErrors, full.length);
  });

  test('unknown schema ids and template ids are counted as unknown messages', () => {
    const h = new Harness();
    const b = attachBytes();
    b[4] = 0x77; // schema id
    assert.deepEqual(h.raw(b), []);
    const c = attachBytes();
    c[2] = 99; // template id
    assert.deepEqual(h.raw(c), []);
    assert.equal(h.driver.counters.unknownMessages, 2);
  });

  test('SCHEMA-02 row 0: an attach with schema version 2 is answered UNSUPPORTED, echoing the correlationId', () => {
    const h = new Harness();
    const b = attachBytes();
    b[6] = 2;
    const sent = h.raw(b);
    assert.deepEqual(kinds(sent), ['attach']);
    const r = sent[0] as Extract<Sent, { kind: 'attach' }>;
    assert.equal(r.code, ResponseCode.UNSUPPORTED);
    assert.equal(r.correlationId, 31n);
    assert.equal(r.error, 'unsupported driver schema version');
  });

  test('other driver messages with a newer version are dropped and counted', () => {
    const h = new Harness();
    const b = new Uint8Array(33);
    new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(b).leaseId(1n).streamId(1).clientId(1).role(Role.CONSUMER).clientTimestampNs(0n).finish();
    b[6] = 3;
    assert.deepEqual(h.raw(b), []);
    assert.equal(h.driver.counters.unsupportedVersion, 1);
  });

  test('an unknown role is answered INVALID_PARAMS', () => {
    const h = new Harness();
    const b = attachBytes();
    b[8 + 16] = 9;
    const r = h.raw(b)[0] as Extract<Sent, { kind: 'attach' }>;
    assert.equal(r.code, ResponseCode.INVALID_PARAMS);
    assert.equal(r.error, 'unknown role');
  });

  test('fuzz: random and mutated frames never throw, and a well-behaved client is not disturbed', () => {
    const h = new Harness();
    const good = h.lease({ clientId: 1000, role: 'producer' });
    const valid = attachBytes();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 200 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = valid.slice();
            b[i] = v;
            return b;
          }),
        ),
        (bytes) => {
          h.raw(bytes, 2);
          h.clock.advanceMs(5);
          h.keepalive(good.leaseId as bigint, 10000, 1000, 'producer');
        },
      ),
      { numRuns: 3000, seed: 4242 },
    );
    h.sink.take();
    const snap = h.driver.snapshot();
    assert.equal(snap.counters['internalErrors'], 0);
    assert.equal(h.driver.leaseState(Number(good.leaseId)), 'ACTIVE');
    // Invariant: at most one producer per stream, and it is still our client.
    assert.equal(snap.streams.find((s) => s.streamId === 10000)?.producerClientId, 1000);
    assert.ok(snap.leases.filter((l) => l.role === 'PRODUCER' && l.streamId === 10000).length === 1);
  });
});
