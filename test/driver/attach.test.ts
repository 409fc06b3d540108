/** Attach handling: ATTACH, CODE (DRIVER_RULES §3.1 rows), IDENTITY, PRODUCER, EPOCH, STREAMID. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HugepagesPolicy, PublishMode, ResponseCode } from '../../src/sbe/index.js';
import { Harness, kinds, testConfig, type Sent } from './harness.js';

type AttachSent = Extract<Sent, { kind: 'attach' }>;
const only = (sent: Sent[]): AttachSent => {
  assert.deepEqual(kinds(sent), ['attach']);
  return sent[0] as AttachSent;
};
const rejected = (sent: Sent[], code: number, message: string): void => {
  const r = only(sent);
  assert.equal(r.code, code, `expected code ${code}, got ${r.code} (${r.error})`);
  assert.equal(r.error, message);
  // ATTACH-06: optional fields null, no pools, empty URI.
  assert.equal(r.leaseId, null);
  assert.equal(r.streamId, null);
  assert.equal(r.epoch, null);
  assert.equal(r.nodeId, null);
  assert.equal(r.pools, 0);
  assert.equal(r.headerUri, '');
};

describe('attach OK (ATTACH-02..05, ATTACH-17)', () => {
  test('a consumer attach to a configured stream provisions it and answers with every required field, then announces', () => {
    const h = new Harness();
    const sent = h.attach({ clientId: 7, role: 'consumer', correlationId: 4242n });
    assert.deepEqual(kinds(sent), ['attach', 'announce']);
    const r = sent[0] as AttachSent;
    assert.equal(r.code, ResponseCode.OK);
    assert.equal(r.correlationId, 4242n); // ATTACH-02 echo
    assert.equal(r.leaseId, 1n); // IDENTITY-06: counter from 1
    assert.equal(r.streamId, 10000);
    assert.equal(r.headerSlotBytes, 256);
    assert.equal(r.headerNslots, 8);
    assert.deepEqual(r.poolNslots, [8, 8]); // ATTACH-04
    assert.match(r.headerUri, /^shm:file\?path=\/.+\/10000\/\d+\/header\.ring$/);
    assert.equal(r.error, '');
    assert.notEqual(r.nodeId, null); // IDENTITY-12
    // KEEPALIVE-06: expiry = now + interval × grace.
    assert.equal(r.expiry, BigInt(h.clock.nowNs + 3_000_000_000));
    // EPOCH-08: first epoch = max(1, now).
    assert.equal(r.epoch, BigInt(h.clock.nowNs));
    const a = sent[1] as Extract<Sent, { kind: 'announce' }>;
    assert.equal(a.epoch, r.epoch);
    assert.equal(a.producerId, 0); // PRODUCER-03: no producer
  });

  test("EPOCH-01a / D12: a producer's first attach to a fresh stream bumps the epoch once, not twice", () => {
    const h = new Harness();
    const r = h.lease({ clientId: 1, role: 'producer' });
    assert.equal(h.shm.provisioned.length, 1);
    assert.equal(r.epoch, BigInt(h.clock.nowNs));
    assert.equal(h.driver.snapshot().counters['epochBumps'], 1);
  });

  test('EPOCH-01a: a producer attach to a provisioned stream bumps the epoch; announce carries producerId (PRODUCER-03)', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    h.clock.advanceMs(10);
    const sent = h.attach({ clientId: 2, role: 'producer' });
    const p = sent[0] as AttachSent;
    assert.ok((p.epoch as bigint) > (c.epoch as bigint));
    const a = sent[1] as Extract<Sent, { kind: 'announce' }>;
    assert.equal(a.producerId, 2);
    assert.equal(a.epoch, p.epoch);
  });

  test('EPOCH-08: epochs stay strictly increasing when the clock has not moved', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const p = h.lease({ clientId: 2, role: 'producer' });
    assert.equal(p.epoch, (c.epoch as bigint) + 1n);
  });

  test('epochs never go below an epoch directory already on disk (restart safety)', () => {
    const h = new Harness();
    h.shm.onDisk.set(10000, 99_000_000_000_000n);
    const r = h.lease({ clientId: 1, role: 'consumer' });
    assert.equal(r.epoch, 99_000_000_000_001n);
  });
});

describe('attach rejections in DRIVER_RULES §3.1 order (CODE-01)', () => {
  test('row 2: unknown publish_mode → UNSUPPORTED', () => {
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', publishMode: 9 }), ResponseCode.UNSUPPORTED, 'unsupported publish_mode');
  });
  test('row 3: HUGEPAGES requested, driver without hugepages → REJECTED (ATTACH-11)', () => {
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', hugepages: HugepagesPolicy.HUGEPAGES }), ResponseCode.REJECTED, 'hugepages required but unavailable');
  });
  test('row 4: STANDARD requested, driver requires hugepages → REJECTED', () => {
    const cfg = testConfig();
    const h = new Harness({ ...cfg, shm: { ...cfg.shm, requireHugepages: true } });
    rejected(h.attach({ clientId: 1, role: 'consumer', hugepages: HugepagesPolicy.STANDARD }), ResponseCode.REJECTED, 'hugepages required by driver policy');
  });
  test('row 5: unknown hugepages policy → INVALID_PARAMS', () => {
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', hugepages: 7 }), ResponseCode.INVALID_PARAMS, 'unknown hugepages policy');
  });
  test('row 6 (IDENTITY-03/07): a clientId with a live lease anywhere → REJECTED', () => {
    const h = new Harness();
    h.lease({ clientId: 5, role: 'consumer' });
    rejected(h.attach({ clientId: 5, role: 'producer' }), ResponseCode.REJECTED, 'client_id already attached');
  });
  test('row 7 (STREAMID-01): dynamic creation without a range → INVALID_PARAMS', () => {
    const cfg = testConfig();
    const h = new Harness({ ...cfg, driver: { ...cfg.driver, streamIdRange: null } });
    rejected(h.attach({ clientId: 1, role: 'producer', streamId: 555, publishMode: PublishMode.EXISTING_OR_CREATE }), ResponseCode.INVALID_PARAMS, 'stream_id_range not configured');
  });
  test('row 8: dynamic range exhausted → INVALID_PARAMS', () => {
    const h = new Harness();
    for (let i = 0; i < 3; i++) h.lease({ clientId: 100 + i, role: 'producer', streamId: 555, publishMode: PublishMode.EXISTING_OR_CREATE });
    rejected(h.attach({ clientId: 9, role: 'producer', streamId: 555, publishMode: PublishMode.EXISTING_OR_CREATE }), ResponseCode.INVALID_PARAMS, 'stream_id_range exhausted');
  });
  test('row 10 (ATTACH-10/14): unknown stream with REQUIRE_EXISTING (or null) → REJECTED', () => {
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', streamId: 4 }), ResponseCode.REJECTED, 'stream not provisioned');
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', streamId: 4, publishMode: PublishMode.REQUIRE_EXISTING }), ResponseCode.REJECTED, 'stream not provisioned');
  });
  test('row 10: EXISTING_OR_CREATE with dynamic streams disabled → REJECTED', () => {
    const h = new Harness(testConfig({ allowDynamicStreams: false }));
    rejected(h.attach({ clientId: 1, role: 'consumer', streamId: 4, publishMode: PublishMode.EXISTING_OR_CREATE }), ResponseCode.REJECTED, 'stream not provisioned');
  });
  test('row 11 (ATTACH-09): expectedLayoutVersion other than 0/1 → REJECTED', () => {
    rejected(new Harness().attach({ clientId: 1, role: 'consumer', layout: 2 }), ResponseCode.REJECTED, 'layout_version mismatch');
    assert.equal(new Harness().lease({ clientId: 1, role: 'consumer', layout: 1 }).code, 0);
  });
  test('row 14: provisioning failure → INTERNAL_ERROR with the error text', () => {
    const h = new Harness();
    h.shm.failNext = 'insufficient shm space for header region: need 2112 bytes, have 0';
    rejected(h.attach({ clientId: 1, role: 'consumer' }), ResponseCode.INTERNAL_ERROR, 'failed to provision SHM: insufficient shm space for header region: need 2112 bytes, have 0');
    // Nothing was half-done: the next attach provisions normally.
    assert.equal(h.lease({ clientId: 1, role: 'consumer' }).code, 0);
  });
  test('row 15 (PRODUCER-01): a second producer → REJECTED, and no epoch bump happened', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 1, role: 'producer' });
    rejected(h.attach({ clientId: 2, role: 'producer' }), ResponseCode.REJECTED, 'producer already attached');
    assert.equal(h.shm.provisioned.length, 1);
    assert.equal(h.driver.snapshot().streams[0]?.epoch, p.epoch);
  });
  test('PRODUCER-02: any number of consumers', () => {
    const h = new Harness();
    for (let i = 1; i <= 5; i++) h.lease({ clientId: i, role: 'consumer' });
    assert.equal(h.driver.snapshot().streams[0]?.consumers, 5);
  });
  test('row 16: producer epoch bump failure → INTERNAL_ERROR; the stream keeps its epoch', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    h.shm.failNext = 'disk full';
    rejected(h.attach({ clientId: 2, role: 'producer' }), ResponseCode.INTERNAL_ERROR, 'failed to provision SHM: disk full');
    assert.equal(h.driver.snapshot().streams[0]?.epoch, c.epoch);
  });
  test('row 17 (ATTACH-13, IDENTITY-10): a desired node id held by another lease → REJECTED, nodeId not set', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer', desiredNodeId: 42 });
    assert.equal(a.nodeId, 42);
    rejected(h.attach({ clientId: 2, role: 'consumer', desiredNodeId: 42 }), ResponseCode.REJECTED, 'node_id unavailable');
  });
  test('errorMessage is at most 1024 bytes (ATTACH-07)', () => {
    const h = new Harness();
    h.shm.failNext = 'x'.repeat(5000);
    const r = only(h.attach({ clientId: 1, role: 'consumer' }));
    assert.equal(r.error.length, 1024);
  });
});

describe('identity (IDENTITY, ATTACH-13)', () => {
  test('IDENTITY-01: lease ids are never reused, also after detach or a rejected attach', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    const b = h.lease({ clientId: 1, role: 'consumer' });
    assert.equal(b.leaseId, 2n);
  });
  test('node ids: assigned, never 0, released when the lease ends, and given back to the same client', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    assert.ok((a.nodeId as number) > 0);
    h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    // Released: another client may now ask for it explicitly once the reservation is gone.
    const b = h.lease({ clientId: 1, role: 'consumer' });
    assert.equal(b.nodeId, a.nodeId);
    const c = h.lease({ clientId: 2, role: 'consumer' });
    assert.notEqual(c.nodeId, a.nodeId);
  });
});

describe('dynamic streams (STREAMID-08, D1)', () => {
  test('the driver allocates from the range, reports the allocated id, and the lease records it', () => {
    const h = new Harness();
    const r = h.lease({ clientId: 1, role: 'producer', streamId: 555, publishMode: PublishMode.EXISTING_OR_CREATE });
    assert.equal(r.streamId, 20000);
    const lease = h.driver.snapshot().leases[0];
    assert.equal(lease?.streamId, 20000);
    // D1 fixed: the producer's expiry finds its stream: revoke notice, epoch bump, announce.
    const sent = h.advanceMs(4001);
    assert.deepEqual(kinds(sent).slice(0, 1), ['revoked']);
    assert.equal((sent[0] as Extract<Sent, { kind: 'revoked' }>).streamId, 20000);
  });
  test('a dynamic stream is forgotten when its last lease ends; static streams are kept', () => {
    const h = new Harness();
    const d = h.lease({ clientId: 1, role: 'consumer', streamId: 555, publishMode: PublishMode.EXISTING_OR_CREATE });
    const s = h.lease({ clientId: 2, role: 'consumer' });
    h.detach(d.leaseId as bigint, 20000, 1, 'consumer');
    h.detach(s.leaseId as bigint, 10000, 2, 'consumer');
    assert.deepEqual(h.driver.snapshot().streams.map((x) => x.streamId), [10000]);
  });
});
