/** Keepalive, expiry, detach and revocation: KEEPALIVE, DETACH, REVOKE, EPOCH-01b, ANNOUNCE. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseRevokeReason, ResponseCode, Role } from '../../src/sbe/index.js';
import { Harness, kinds, type Sent } from './harness.js';

type Revoked = Extract<Sent, { kind: 'revoked' }>;
type Announce = Extract<Sent, { kind: 'announce' }>;

describe('keepalive and expiry (KEEPALIVE)', () => {
  test('KEEPALIVE-02/06: a valid keepalive moves the expiry to now + interval × grace; no response (KEEPALIVE-05)', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    h.clock.advanceMs(2500);
    assert.deepEqual(h.keepalive(a.leaseId as bigint, 10000, 1, 'consumer'), []);
    assert.equal(h.driver.snapshot().leases[0]?.expiryNs, h.clock.nowNs + 3e9);
    // 2.5 s later the original deadline has passed, but the lease lives on.
    const sent = h.advanceMs(2500).filter((s) => s.kind === 'revoked');
    assert.deepEqual(sent, []);
    assert.equal(h.driver.leaseState(Number(a.leaseId)), 'ACTIVE');
  });

  test('issue 4 / D9: a keepalive counts only if leaseId, streamId, clientId and role all match', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    const before = h.driver.snapshot().leases[0]?.expiryNs;
    h.clock.advanceMs(1000);
    h.keepalive(a.leaseId as bigint, 10001, 1, 'consumer');
    h.keepalive(a.leaseId as bigint, 10000, 2, 'consumer');
    h.keepalive(a.leaseId as bigint, 10000, 1, 'producer');
    h.keepalive(999n, 10000, 1, 'consumer');
    assert.equal(h.driver.snapshot().leases[0]?.expiryNs, before);
    assert.equal(h.driver.counters.keepalivesDropped, 4);
    assert.equal(h.driver.counters.keepalives, 0);
  });

  test('KEEPALIVE-03, REVOKE-01: a consumer lease that stops keepalives expires with a notice and no epoch bump', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    assert.deepEqual(h.advanceMs(2999).filter((s) => s.kind === 'revoked'), []);
    const sent = h.advanceMs(2);
    const revoked = sent.filter((s) => s.kind === 'revoked') as Revoked[];
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]?.leaseId, a.leaseId);
    assert.equal(revoked[0]?.reason, LeaseRevokeReason.EXPIRED);
    assert.equal(revoked[0]?.role, Role.CONSUMER);
    assert.equal(h.driver.snapshot().streams[0]?.epoch, a.epoch);
    assert.equal(h.driver.snapshot().leases.length, 0);
  });

  test('REVOKE-02/03, EPOCH-01b: producer expiry → notice, then an announce of a higher epoch with producerId 0', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    const p = h.lease({ clientId: 2, role: 'producer' });
    h.clock.advanceMs(2000);
    h.keepalive(1n, 10000, 1, 'consumer');
    const sent = h.advanceMs(1500);
    const order = kinds(sent);
    const iRevoke = order.indexOf('revoked');
    const announces = sent.filter((s, i) => s.kind === 'announce' && i > iRevoke) as Announce[];
    assert.ok(iRevoke >= 0);
    assert.equal((sent[iRevoke] as Revoked).leaseId, p.leaseId);
    assert.ok(announces.length >= 1);
    assert.ok((announces[0]?.epoch as bigint) > (p.epoch as bigint));
    assert.equal(announces[0]?.producerId, 0);
    // A new producer may attach now (EPOCH-03).
    assert.equal(h.lease({ clientId: 3, role: 'producer' }).code, 0);
  });

  test('expiry checks do not scan every lease: thousands of healthy leases, one expiry', () => {
    const h = new Harness();
    const leases: bigint[] = [];
    for (let i = 0; i < 1000; i++) leases.push(h.lease({ clientId: 10 + i, role: 'consumer' }).leaseId as bigint);
    const revoked: Revoked[] = [];
    for (let t = 0; t < 10; t++) {
      h.clock.advanceMs(1000);
      leases.forEach((id, i) => i !== 0 && h.keepalive(id, 10000, 10 + i, 'consumer'));
      h.driver.tick();
      revoked.push(...(h.sink.take().filter((s) => s.kind === 'revoked') as Revoked[]));
    }
    assert.deepEqual(revoked.map((r) => r.leaseId), [leases[0]]);
  });
});

describe('detach (DETACH)', () => {
  test('DETACH-02/04/06/07: consumer detach → ShmLeaseRevoked(DETACHED) then ShmDetachResponse(OK) echoing correlationId', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    const sent = h.detach(a.leaseId as bigint, 10000, 1, 'consumer', 555n);
    assert.deepEqual(kinds(sent), ['revoked', 'detach']);
    assert.equal((sent[0] as Revoked).reason, LeaseRevokeReason.DETACHED);
    const d = sent[1] as Extract<Sent, { kind: 'detach' }>;
    assert.equal(d.code, ResponseCode.OK);
    assert.equal(d.correlationId, 555n);
  });

  test('DETACH-05/07: producer detach → revoked, announce of the bumped epoch, then the response', () => {
    const h = new Harness();
    const p = h.lease({ clientId: 2, role: 'producer' });
    const sent = h.detach(p.leaseId as bigint, 10000, 2, 'producer');
    assert.deepEqual(kinds(sent), ['revoked', 'announce', 'detach']);
    assert.ok(((sent[1] as Announce).epoch as bigint) > (p.epoch as bigint));
  });

  test('DETACH-03: unknown lease or any mismatching field → REJECTED "unknown lease"; the lease survives', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    for (const [id, stream, client, role] of [
      [999n, 10000, 1, 'consumer'],
      [a.leaseId as bigint, 10001, 1, 'consumer'],
      [a.leaseId as bigint, 10000, 2, 'consumer'],
      [a.leaseId as bigint, 10000, 1, 'producer'],
    ] as const) {
      const sent = h.detach(id, stream, client, role);
      assert.deepEqual(kinds(sent), ['detach']);
      assert.equal((sent[0] as Extract<Sent, { kind: 'detach' }>).error, 'unknown lease');
    }
    assert.equal(h.driver.leaseState(Number(a.leaseId)), 'ACTIVE');
  });

  test('DETACH-01: detach is idempotent from the client side: a second detach is REJECTED, nothing else happens', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    const sent = h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    assert.deepEqual(kinds(sent), ['detach']);
  });
});

describe('connection loss (issue 5 policy, in the core)', () => {
  test("a closed connection's leases are invalidated as EXPIRED at once, with the producer epoch bump", () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer', connection: 7 });
    const p = h.lease({ clientId: 2, role: 'producer', connection: 8 });
    h.driver.connectionClosed(8);
    const sent = h.sink.take();
    assert.deepEqual(kinds(sent), ['revoked', 'announce']);
    assert.equal((sent[0] as Revoked).reason, LeaseRevokeReason.EXPIRED);
    assert.ok(((sent[1] as Announce).epoch as bigint) > (p.epoch as bigint));
    assert.equal(h.driver.snapshot().leases.length, 1);
  });
});

describe('announces (ANNOUNCE-02/05)', () => {
  test('every announce_period_ms every provisioned stream is announced, with or without a producer', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    h.lease({ clientId: 2, role: 'producer', streamId: 7, publishMode: 2 });
    let announces = 0;
    for (let i = 0; i < 5; i++) {
      h.clock.advanceMs(500);
      h.keepalive(1n, 10000, 1, 'consumer');
      h.keepalive(2n, 20000, 2, 'producer');
      announces += h.advanceMs(0).filter((s) => s.kind === 'announce').length;
    }
    // 2.5 s at 1 Hz over two streams: ticks at 0.5 s (first), 1.5 s, 2.5 s → 3 rounds × 2 streams.
    assert.equal(announces, 6);
  });
});
