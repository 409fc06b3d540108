/**
 * Stream rules (TRACEABILITY.md): STREAMID-08/09 (dynamic streams only: DEVIATIONS D2),
 * ANNOUNCE-05, REVOKE-02 with a provisioning failure, PERCONSUMER-01/02/06 (D3, D4).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PublishMode, ResponseCode } from '../../src/sbe/index.js';
import { Harness, kinds, testConfig, type Sent } from './harness.js';

type Config = Extract<Sent, { kind: 'config' }>;
const CREATE = PublishMode.EXISTING_OR_CREATE;
const announced = (sent: Sent[]): number[] => sent.flatMap((s) => (s.kind === 'announce' ? [s.streamId] : []));

describe('STREAMID', () => {
  test('STREAMID-08: the requested id is not used; ids come round-robin from the range, skipping ids in use, wrapping', () => {
    const h = new Harness(); // range 20000-20002
    const a = h.lease({ clientId: 1, role: 'producer', streamId: 20002, publishMode: CREATE });
    const b = h.lease({ clientId: 2, role: 'producer', streamId: 5, publishMode: CREATE });
    assert.deepEqual([a.streamId, b.streamId], [20000, 20001]);
    h.detach(a.leaseId as bigint, 20000, 1, 'producer'); // 20000 dropped and free
    const c = h.lease({ clientId: 3, role: 'producer', streamId: 5, publishMode: CREATE });
    const d = h.lease({ clientId: 4, role: 'producer', streamId: 5, publishMode: CREATE });
    assert.deepEqual([c.streamId, d.streamId], [20002, 20000]);
  });

  test('STREAMID-08: an attach to a known dynamic id joins that stream (no new id), with either publish mode', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer', streamId: 5, publishMode: CREATE });
    assert.equal(h.lease({ clientId: 2, role: 'consumer', streamId: 20000 }).streamId, 20000);
    assert.equal(h.lease({ clientId: 3, role: 'consumer', streamId: 20000, publishMode: CREATE }).streamId, 20000);
    assert.equal(h.driver.snapshot().streams.find((s) => s.streamId === 20000)?.consumers, 2);
  });

  test('STREAMID-09: a dropped dynamic stream is no longer announced and no longer attachable with REQUIRE_EXISTING', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer', streamId: 5, publishMode: CREATE });
    h.detach(c.leaseId as bigint, 20000, 1, 'consumer');
    assert.deepEqual(announced(h.advanceMs(5000)), []);
    const r = h.attach({ clientId: 2, role: 'consumer', streamId: 20000 });
    assert.deepEqual(r.map((s) => (s.kind === 'attach' ? s.error : s.kind)), ['stream not provisioned']);
  });

  test('STREAMID-09 / D2 (deviation): with dynamic streams on, a static stream keeps its state when its last lease ends: still announced, same epoch, no re-provisioning', () => {
    const h = new Harness(); // allow_dynamic_streams = true
    const c = h.lease({ clientId: 1, role: 'consumer' });
    h.detach(c.leaseId as bigint, 10000, 1, 'consumer');
    assert.deepEqual(announced(h.advanceMs(1000)), [10000]);
    const again = h.lease({ clientId: 2, role: 'consumer' });
    assert.equal(again.epoch, c.epoch);
    assert.equal(h.shm.provisioned.length, 1);
  });
});

describe('ANNOUNCE', () => {
  test('ANNOUNCE-05: configured streams are provisioned lazily: no files and no announces before the first attach', () => {
    const h = new Harness();
    assert.deepEqual(h.advanceMs(5000), []);
    assert.equal(h.shm.provisioned.length, 0);
    h.lease({ clientId: 1, role: 'consumer' });
    assert.deepEqual(announced(h.advanceMs(1000)), [10000]);
  });

  test('REVOKE-02 (deviation on failure): if the new epoch cannot be provisioned after the producer is lost, the stream stops being announced until an attach re-provisions it', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    const p = h.lease({ clientId: 2, role: 'producer' });
    h.shm.failNext = 'disk full';
    const sent = h.detach(p.leaseId as bigint, 10000, 2, 'producer');
    assert.deepEqual(kinds(sent), ['revoked', 'detach']); // no announce of files that do not exist
    assert.ok(h.logs.some((l) => l.startsWith('error:') && l.includes('disk full')));
    assert.equal(h.driver.snapshot().streams[0]?.state, 'UNCLAIMED');
    h.clock.advanceMs(1000);
    h.keepalive(1n, 10000, 1, 'consumer');
    assert.deepEqual(announced(h.advanceMs(0)), []);
    const c = h.lease({ clientId: 3, role: 'consumer' });
    assert.ok((c.epoch as bigint) > (p.epoch as bigint));
    assert.equal(h.driver.snapshot().streams[0]?.state, 'READY');
  });
});

describe('PERCONSUMER', () => {
  const leased = (config = testConfig()): Harness => {
    const h = new Harness(config);
    h.lease({ clientId: 1, role: 'consumer' });
    return h;
  };
  const reply = (sent: Sent[]): Config => {
    assert.deepEqual(kinds(sent), ['config']);
    return sent[0] as Config;
  };

  test('PERCONSUMER-01 / D3: channel with id 0 or 0xFFFFFFFF is a half request: both kinds declined (empty channels, ids 0)', () => {
    const h = leased();
    for (const id of [0, 0xffffffff]) {
      const r = reply(h.hello(10000, 1, 'unix:/tmp/d', id, 'unix:/tmp/c', 7));
      assert.deepEqual([r.descriptorStreamId, r.descriptorChannel, r.controlStreamId, r.controlChannel], [0, '', 0, '']);
    }
  });

  test('PERCONSUMER-01 (deviation): a non-zero id with an empty channel is also a half request and declined (RI: ignored as "no request")', () => {
    const r = reply(leased().hello(10000, 1, '', 7));
    assert.deepEqual([r.descriptorStreamId, r.descriptorChannel], [0, '']);
  });

  test('PERCONSUMER-02/06, STREAMID-03 / D4 (RI kept): a kind whose range is unset is declined with an empty channel and id 0, the other granted', () => {
    const h = leased(); // descriptor range 31000-31001, control range unset
    const r = reply(h.hello(10000, 1, 'unix:/tmp/d', 3, 'unix:/tmp/c', 4));
    assert.deepEqual([r.descriptorStreamId, r.descriptorChannel, r.controlStreamId, r.controlChannel], [31000, 'unix:/tmp/d', 0, '']);
  });

  test('PERCONSUMER-06 step 4, STREAMID-02: control ids come from control_stream_id_range; assigned channel = requested channel', () => {
    const cfg = testConfig();
    const h = leased({ ...cfg, driver: { ...cfg.driver, controlStreamIdRange: { start: 32000, end: 32000 } } });
    const r = reply(h.hello(10000, 1, '', 0, 'unix:/tmp/c', 99));
    assert.deepEqual([r.descriptorStreamId, r.descriptorChannel, r.controlStreamId, r.controlChannel, r.streamId, r.consumerId], [0, '', 32000, 'unix:/tmp/c', 10000, 1]);
  });

  test('PERCONSUMER-06 step 2: a producer lease, or a consumer lease on another stream, gets no ConsumerConfig', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer' });
    h.lease({ clientId: 2, role: 'consumer', streamId: 5, publishMode: CREATE });
    assert.deepEqual(h.hello(10000, 1, 'unix:/tmp/d', 3), []);
    assert.deepEqual(h.hello(10000, 2, 'unix:/tmp/d', 3), []);
    assert.equal(h.driver.counters.consumerHellosIgnored, 2);
  });

  test('REVOKE-11: a consumer lease that expires frees its per-consumer ids', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    h.lease({ clientId: 2, role: 'consumer' });
    assert.equal(reply(h.hello(10000, 1, 'unix:/d', 1)).descriptorStreamId, 31000);
    assert.equal(reply(h.hello(10000, 2, 'unix:/d', 1)).descriptorStreamId, 31001);
    h.clock.advanceMs(2000);
    h.keepalive(2n, 10000, 2, 'consumer');
    h.advanceMs(1500); // client 1 expires
    assert.equal(h.lease({ clientId: 3, role: 'consumer' }).code, ResponseCode.OK);
    assert.equal(reply(h.hello(10000, 3, 'unix:/d', 1)).descriptorStreamId, 31000);
  });
});

describe('dynamic stream kept while leased (STREAMID-09)', () => {
  test('STREAMID-09: a failed re-provisioning of an UNCLAIMED dynamic stream does not drop it while a consumer still holds a lease on it', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer', streamId: 5, publishMode: CREATE });
    const p = h.lease({ clientId: 2, role: 'producer', streamId: 20000 });
    h.shm.failNext = 'disk full';
    h.detach(p.leaseId as bigint, 20000, 2, 'producer'); // → UNCLAIMED, consumer 1 still leased
    h.shm.failNext = 'disk full';
    const r = h.attach({ clientId: 3, role: 'consumer', streamId: 20000 });
    assert.deepEqual(r.map((s) => (s.kind === 'attach' ? s.code : s.kind)), [ResponseCode.INTERNAL_ERROR]);
    // The stream (and its id) still belong to consumer 1: no new dynamic stream may take 20000.
    assert.deepEqual(h.driver.snapshot().streams.map((s) => [s.streamId, s.consumers]), [[20000, 1]]);
    assert.equal(h.lease({ clientId: 4, role: 'producer', streamId: 9, publishMode: CREATE }).streamId, 20001);
    // Consumer 1's detach is accounted to its own stream, which is then dropped.
    assert.deepEqual(kinds(h.detach(c.leaseId as bigint, 20000, 1, 'consumer')), ['revoked', 'detach']);
    assert.deepEqual(h.driver.snapshot().streams.map((s) => s.streamId), [20001]);
  });
});
