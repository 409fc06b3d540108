/**
 * Lease rules (TRACEABILITY.md): KEEPALIVE-01/07/08/09, REVOKE-01/04/07/10, EPOCH-03/05/09/10/11.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseRevokeReason, PublishMode, ResponseCode, Role, ShmLeaseKeepaliveEncoder, ShmLeaseRevokedDecoder, ShutdownReason } from '../../src/sbe/index.js';
import { Driver } from '../../src/driver/driver.js';
import { CapturingSink, FakeShm, Harness, kinds, lastFrames, testConfig, type Sent } from './harness.js';

type Revoked = Extract<Sent, { kind: 'revoked' }>;
const revokedOf = (sent: Sent[]): Revoked[] => sent.filter((s): s is Revoked => s.kind === 'revoked');

describe('KEEPALIVE', () => {
  test('KEEPALIVE-01/08 (deviation: checked every tick): a lease dies on the first tick after now > expiry, not at the next scan interval', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const deadline = Number(c.expiry);
    h.clock.nowNs = deadline; // now == expiry is not expired (RI: now_ns > expiry_ns)
    h.driver.tick();
    assert.deepEqual(revokedOf(h.sink.take()), []);
    h.clock.nowNs = deadline + 10_000_000; // 10 ms later: the RI could wait up to one more interval
    h.driver.tick();
    assert.equal(revokedOf(h.sink.take()).length, 1);
  });

  test('KEEPALIVE-03 (issue 7): tick(horizon) expires only leases due before the horizon — what the transport has fully read up to', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const deadline = Number(c.expiry);
    h.clock.nowNs = deadline + 50_000_000; // 50 ms past the deadline ...
    h.driver.tick(deadline - 1); // ... but the sockets were last read completely before it
    assert.equal(h.driver.leaseState(Number(c.leaseId)), 'ACTIVE');
    h.keepalive(c.leaseId as bigint, 10000, 1, 'consumer'); // the keepalive that was waiting unread
    h.driver.tick(deadline + 50_000_000);
    assert.equal(h.driver.leaseState(Number(c.leaseId)), 'ACTIVE');
    h.clock.advanceMs(3_100); // its new deadline passes with nothing read
    h.driver.tick(h.clock.nowNs);
    assert.equal(h.driver.leaseState(Number(c.leaseId)), null);
  });

  test('KEEPALIVE-07 / D9: a keepalive with the right leaseId but the wrong clientId does not keep the lease alive', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    for (let t = 0; t < 5; t++) {
      h.clock.advanceMs(1000);
      h.keepalive(c.leaseId as bigint, 10000, 2, 'consumer');
      h.driver.tick();
    }
    assert.equal(h.driver.leaseState(Number(c.leaseId)), null);
    assert.equal(h.driver.counters.keepalivesDropped, 5);
  });

  test('KEEPALIVE-02: a keepalive with a longer block (a newer minor version appending fields) extends the lease like the plain 33-byte one', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const plain = new Uint8Array(64);
    const len = new ShmLeaseKeepaliveEncoder().wrapAndApplyHeader(plain).leaseId(c.leaseId as bigint).streamId(10000).clientId(1)
      .role(Role.CONSUMER).clientTimestampNs(1n).finish();
    // Same fields, blockLength 25 + 4 unknown trailing bytes, version 1: decoders skip what they do not know.
    const longer = new Uint8Array(len + 4);
    longer.set(plain.subarray(0, len));
    new DataView(longer.buffer).setUint16(0, 29, true);
    for (let t = 0; t < 5; t++) {
      h.clock.advanceMs(1000);
      h.raw(t % 2 === 0 ? longer : plain.subarray(0, len));
      h.driver.tick();
    }
    assert.equal(h.driver.leaseState(Number(c.leaseId)), 'ACTIVE');
    assert.equal(h.driver.counters.keepalives, 5);
    assert.equal(h.driver.counters.decodeErrors, 0);
  });

  test('KEEPALIVE-03: repeated keepalives of one lease in one read (one driver time) keep deadline order: the lease refreshed last expires last', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    const b = h.lease({ clientId: 2, role: 'consumer' });
    const read = new Uint8Array(3 * 33);
    const enc = new ShmLeaseKeepaliveEncoder();
    const put = (i: number, leaseId: bigint, clientId: number): number =>
      enc.wrapAndApplyHeader(read, i * 33).leaseId(leaseId).streamId(10000).clientId(clientId).role(Role.CONSUMER).clientTimestampNs(1n).finish();
    put(0, a.leaseId as bigint, 1);
    put(1, b.leaseId as bigint, 2);
    put(2, a.leaseId as bigint, 1); // a again, same driver time: already at the newest deadline
    h.clock.advanceMs(2000);
    h.driver.updateTime();
    for (let i = 0; i < 3; i++) h.driver.receive(1, read, i * 33, 33);
    // 1 ms later b alone keeps up: a must expire first, then b must survive.
    h.clock.advanceMs(1);
    h.keepalive(b.leaseId as bigint, 10000, 2, 'consumer');
    const lifetimeMs = 3 * 1000; // testConfig: interval × grace
    h.advanceMs(lifetimeMs);
    assert.equal(h.driver.leaseState(Number(a.leaseId)), null);
    assert.equal(h.driver.leaseState(Number(b.leaseId)), 'ACTIVE');
    assert.equal(h.driver.counters.keepalives, 4);
  });

  test('TRANSPORT.md §4: a keepalive or detach naming every field of a lease from another connection is refused; without revoke_on_disconnect the lease is not tied to its connection', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer', connection: 7 });
    h.clock.advanceMs(2000);
    h.keepalive(c.leaseId as bigint, 10000, 1, 'consumer', 8);
    assert.equal(h.driver.counters.keepalivesDropped, 1);
    const d = h.detach(c.leaseId as bigint, 10000, 1, 'consumer', 77n, 8);
    assert.deepEqual(kinds(d), ['detach']);
    assert.equal(d[0]?.kind === 'detach' ? d[0].code : -1, ResponseCode.REJECTED);
    assert.equal(h.driver.leaseState(Number(c.leaseId)), 'ACTIVE');
    h.advanceMs(1500); // past the 3 s lifetime counted from the attach: no keepalive counted
    assert.equal(h.driver.leaseState(Number(c.leaseId)), null);

    const loose = new Harness(testConfig({ revokeOnDisconnect: false }));
    const l = loose.lease({ clientId: 1, role: 'consumer', connection: 7 });
    loose.keepalive(l.leaseId as bigint, 10000, 1, 'consumer', 8);
    assert.equal(loose.driver.counters.keepalives, 1);
  });

  test('KEEPALIVE-09: while draining, keepalives extend leases, expiry still runs, detach and ConsumerHello are answered, periodic announces go on', () => {
    const h = new Harness(testConfig({ shutdownTimeoutMs: 60_000 }));
    const kept = h.lease({ clientId: 1, role: 'consumer' });
    h.lease({ clientId: 2, role: 'consumer' });
    const p = h.lease({ clientId: 3, role: 'producer' });
    h.shutdownRequest('secret', ShutdownReason.ADMIN);
    assert.equal(h.driver.state, 'Running_Draining');
    let announces = 0;
    for (let t = 0; t < 4; t++) {
      h.clock.advanceMs(1000);
      h.keepalive(kept.leaseId as bigint, 10000, 1, 'consumer');
      h.keepalive(p.leaseId as bigint, 10000, 3, 'producer');
      const sent = h.advanceMs(0);
      announces += sent.filter((s) => s.kind === 'announce').length;
      if (t === 3) assert.deepEqual(revokedOf(sent).map((r) => r.clientId), [2]); // client 2 stopped sending
    }
    assert.ok(announces >= 3, `periodic announces while draining: ${announces}`);
    assert.equal(h.driver.leaseState(Number(kept.leaseId)), 'ACTIVE');
    assert.deepEqual(kinds(h.hello(10000, 1, 'unix:/tmp/d', 5)), ['config']);
    assert.deepEqual(kinds(h.detach(p.leaseId as bigint, 10000, 3, 'producer')), ['revoked', 'announce', 'detach']);
  });
});

describe('REVOKE', () => {
  test('REVOKE-10: the notice carries now, the lease\'s own leaseId/streamId/clientId/role, the reason and an empty errorMessage', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 11, role: 'consumer', publishMode: PublishMode.EXISTING_OR_CREATE, streamId: 3 });
    h.clock.advanceMs(123);
    h.detach(c.leaseId as bigint, 20000, 11, 'consumer');
    const d = new ShmLeaseRevokedDecoder().wrap(lastFrames(h, 'revoked')[0] as Uint8Array);
    assert.deepEqual(
      [d.timestampNs(), d.leaseId(), d.streamId(), d.clientId(), d.role(), d.reason(), d.errorMessage()],
      [BigInt(h.clock.nowNs), c.leaseId, 20000, 11, Role.CONSUMER, LeaseRevokeReason.DETACHED, ''],
    );
  });

  test('REVOKE-04: exactly one notice per lease, whatever ends it and whatever arrives after (detach, expiry, connection close)', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'producer', connection: 4 });
    const b = h.lease({ clientId: 2, role: 'consumer', connection: 4 });
    const all: Revoked[] = [];
    all.push(...revokedOf(h.detach(a.leaseId as bigint, 10000, 1, 'producer', 77n, 4)));
    all.push(...revokedOf(h.detach(a.leaseId as bigint, 10000, 1, 'producer', 78n, 4)));
    h.driver.connectionClosed(4);
    all.push(...revokedOf(h.sink.take()));
    h.driver.connectionClosed(4);
    all.push(...revokedOf(h.sink.take()));
    all.push(...revokedOf(h.advanceMs(10_000)));
    h.keepalive(b.leaseId as bigint, 10000, 2, 'consumer', 4);
    all.push(...revokedOf(h.advanceMs(10_000)));
    assert.deepEqual(all.map((r) => [r.leaseId, r.reason]), [[a.leaseId, LeaseRevokeReason.DETACHED], [b.leaseId, LeaseRevokeReason.EXPIRED]]);
  });

  test('REVOKE-01/07: revoking one lease leaves unrelated leases, their expiry and their stream untouched', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 1, role: 'producer', streamId: 3, publishMode: PublishMode.EXISTING_OR_CREATE });
    const c = h.lease({ clientId: 2, role: 'consumer' });
    const before = h.driver.snapshot();
    h.clock.advanceMs(500);
    h.detach(c.leaseId as bigint, 10000, 2, 'consumer');
    const after = h.driver.snapshot();
    assert.deepEqual(after.leases, before.leases.filter((l) => l.leaseId !== Number(c.leaseId)));
    assert.deepEqual(after.streams.find((s) => s.streamId === 20000), before.streams.find((s) => s.streamId === 20000));
    assert.equal(h.driver.leaseState(Number(p.leaseId)), 'ACTIVE');
  });
});

describe('EPOCH', () => {
  test('EPOCH-09: consumer attach, detach and expiry never bump; producer attach and producer loss do (one bump each)', () => {
    const h = new Harness();
    const epoch = (): bigint => h.driver.snapshot().streams[0]?.epoch ?? -1n;
    const c1 = h.lease({ clientId: 1, role: 'consumer' });
    const e1 = epoch();
    h.lease({ clientId: 2, role: 'consumer' });
    h.detach(c1.leaseId as bigint, 10000, 1, 'consumer');
    h.advanceMs(3001); // client 2 expires
    assert.equal(epoch(), e1);
    assert.equal(h.shm.provisioned.length, 1);
    const p = h.lease({ clientId: 3, role: 'producer' });
    assert.equal(h.shm.provisioned.length, 2);
    assert.ok(epoch() > e1);
    h.detach(p.leaseId as bigint, 10000, 3, 'producer');
    assert.equal(h.shm.provisioned.length, 3);
    assert.equal(h.driver.counters.epochBumps, 3);
  });

  test('EPOCH-10: every bump provisions a fresh epoch (header + every pool) and then runs GC for that stream; epoch_gc_enabled=false skips GC', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    const p = h.lease({ clientId: 2, role: 'producer' });
    h.advanceMs(3001);
    const epochs = h.shm.provisioned.map((x) => x.epoch);
    assert.equal(new Set(epochs).size, 3);
    assert.deepEqual(h.shm.collected, epochs.map((epoch) => ({ streamId: 10000, epoch })));
    assert.ok(h.shm.provisioned.every((x) => x.pools.length === 2));
    assert.ok((p.epoch as bigint) === epochs[1]);
    const off = new Harness(testConfig({ epochGcEnabled: false }));
    off.lease({ clientId: 2, role: 'producer' });
    assert.deepEqual(off.shm.collected, []);
  });

  test('EPOCH-11: the response of a producer attach carries the epoch after its bump; later announces carry the epoch after the loss bump', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const p = h.lease({ clientId: 2, role: 'producer' });
    assert.equal(p.epoch, h.shm.provisioned[1]?.epoch);
    assert.ok((p.epoch as bigint) > (c.epoch as bigint));
    const sent = h.advanceMs(3001).filter((s) => s.kind === 'announce');
    assert.ok(sent.length >= 1 && sent.every((a) => a.kind === 'announce' && a.epoch === h.shm.provisioned[2]?.epoch));
  });

  test('EPOCH-03: after a producer fails, its lease is invalidated and the epoch bumped before a new producer lease is granted', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 1, role: 'producer', connection: 3 });
    h.driver.connectionClosed(3); // process died
    h.sink.take();
    const bumped = h.driver.snapshot().streams[0]?.epoch as bigint;
    assert.ok(bumped > (p.epoch as bigint));
    const q = h.lease({ clientId: 2, role: 'producer' });
    assert.ok((q.epoch as bigint) > bumped);
  });

  test('EPOCH-05: with epoch_gc_on_startup the driver collects stale epochs of every stream when it starts, not otherwise', () => {
    let calls = 0;
    class CountingShm extends FakeShm {
      override collectAll(): void {
        calls++;
      }
    }
    const sink = new CapturingSink();
    new Driver({ config: testConfig({ epochGcOnStartup: true }), shm: new CountingShm(), sink }).start();
    assert.equal(calls, 1);
    new Driver({ config: testConfig({ epochGcOnStartup: false }), shm: new CountingShm(), sink }).start();
    assert.equal(calls, 1);
  });
});
