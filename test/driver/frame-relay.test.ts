/**
 * The FrameDescriptor relay (issue 6's wake-up path, a tensorpool extension: see
 * docs/driver/DEVIATIONS.md): a descriptor from the connection holding the stream's PRODUCER
 * lease reaches every connection holding a CONSUMER lease on that stream, once each; from anyone
 * else it is dropped and counted (OWN-08). Announces (ANNOUNCE-01) are not affected.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameDescriptorEncoder } from '../../src/sbe/index.js';
import { Harness, kinds, type Sent } from './harness.js';

function descriptor(streamId: number, epoch: bigint, seq: number): Uint8Array {
  const b = new Uint8Array(48);
  const n = new FrameDescriptorEncoder().wrapAndApplyHeader(b).streamId(streamId).epoch(epoch).seqNumber(seq).finish();
  return b.subarray(0, n);
}

type Descriptor = Extract<Sent, { kind: 'descriptor' }>;

describe('FrameDescriptor relay (issue 6, OWN-08)', () => {
  test('from the producer connection → every consumer connection once, bytes unchanged, in order', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 1, role: 'producer', connection: 10 });
    h.lease({ clientId: 2, role: 'consumer', connection: 20 });
    h.lease({ clientId: 3, role: 'consumer', connection: 30 });
    h.lease({ clientId: 4, role: 'consumer', connection: 30 }); // two leases, one connection: sent once
    for (let seq = 0; seq < 3; seq++) {
      const bytes = descriptor(10000, p.epoch as bigint, seq);
      const sent = h.raw(bytes, 10) as Descriptor[];
      assert.deepEqual(kinds(sent), ['descriptor', 'descriptor']);
      assert.deepEqual(sent.map((s) => s.to).sort(), [20, 30]);
      assert.ok(sent.every((s) => s.seq === BigInt(seq) && s.epoch === p.epoch));
      for (const f of h.sink.lastFrames) assert.deepEqual(f, bytes);
    }
    assert.equal(h.driver.counters.frameDescriptorsRelayed, 3);
    assert.equal(h.driver.counters.frameDescriptorsDropped, 0);
  });

  test('OWN-08: from a consumer, an unknown connection, for an unknown stream, or with no producer → dropped and counted', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 2, role: 'consumer', connection: 20 });
    const epoch = c.epoch as bigint;
    assert.deepEqual(h.raw(descriptor(10000, epoch, 0), 20), []); // no producer yet
    h.lease({ clientId: 1, role: 'producer', connection: 10 });
    assert.deepEqual(h.raw(descriptor(10000, epoch, 0), 20), []); // a consumer connection
    assert.deepEqual(h.raw(descriptor(10000, epoch, 0), 99), []); // nobody's connection
    assert.deepEqual(h.raw(descriptor(4242, epoch, 0), 10), []); // not a stream
    assert.equal(h.driver.counters.frameDescriptorsDropped, 4);
    assert.equal(h.driver.counters.frameDescriptorsRelayed, 0);
  });

  test('consumer bookkeeping follows detach and disconnect; a revoked producer can no longer relay', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 1, role: 'producer', connection: 10 });
    const c2 = h.lease({ clientId: 2, role: 'consumer', connection: 20 });
    h.lease({ clientId: 3, role: 'consumer', connection: 30 });
    h.detach(c2.leaseId as bigint, 10000, 2, 'consumer', 77n, 20);
    assert.deepEqual((h.raw(descriptor(10000, p.epoch as bigint, 0), 10) as Descriptor[]).map((s) => s.to), [30]);
    h.driver.connectionClosed(30);
    h.sink.take();
    assert.deepEqual(h.raw(descriptor(10000, p.epoch as bigint, 1), 10), []);
    assert.equal(h.driver.counters.frameDescriptorsRelayed, 2); // relayed to no one is still relayed
    h.lease({ clientId: 5, role: 'consumer', connection: 50 });
    h.detach(p.leaseId as bigint, 10000, 1, 'producer', 77n, 10);
    assert.deepEqual(h.raw(descriptor(10000, p.epoch as bigint, 2), 10), []);
    assert.equal(h.driver.counters.frameDescriptorsDropped, 1);
  });

  test('ANNOUNCE-01 not affected: announces still go to every connection, descriptors only to consumers', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer', connection: 10 });
    const sent = h.advanceMs(1000);
    assert.ok(sent.some((s) => s.kind === 'announce' && s.to === -1));
  });

  test('a malformed descriptor is a decode error, not a relay', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer', connection: 10 });
    h.lease({ clientId: 2, role: 'consumer', connection: 20 });
    const bytes = descriptor(10000, 1n, 0).slice(0, 20);
    assert.deepEqual(h.raw(bytes, 10), []);
    assert.equal(h.driver.counters.decodeErrors, 1);
  });
});
