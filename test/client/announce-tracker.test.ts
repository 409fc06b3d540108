/**
 * AnnounceTracker: SHM_LAYOUT §7.5 acceptance (stream, layout, clock domain, freshness, join
 * time, validation, highest epoch wins), EPOCH-02 change events, REVOKE-06 case 2 waits with
 * the REVOKE-08 timeout and the REVOKE-09 strictly-greater rule. Announces are hand-built so
 * every field can be wrong.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnnounceTracker, ManualScheduler, type AnnounceTimeout, type EpochChange } from '../../src/client/index.js';
import { ClockDomain, ShmPoolAnnounceEncoder } from '../../src/sbe/index.js';

interface AnnounceShape {
  streamId?: number;
  epoch: bigint;
  /** ns; default the scheduler's now. */
  ts?: bigint;
  domain?: number;
  layout?: number;
  slotBytes?: number;
  poolNslots?: number;
  headerUri?: string;
  producerId?: number;
}

function setup(options: { revokeWaitMs?: number } = {}) {
  const sched = new ManualScheduler(10_000);
  const tracker = new AnnounceTracker({ scheduler: sched, announcePeriodMs: 1000, ...options });
  const changes: EpochChange[] = [];
  const timeouts: AnnounceTimeout[] = [];
  tracker.on('epoch-changed', (c) => changes.push(c));
  tracker.on('announce-timeout', (t) => timeouts.push(t));
  const announce = (a: AnnounceShape): Uint8Array => {
    const b = new Uint8Array(1024);
    const dir = `/tmp/tp/tensorpool-u/default/${a.streamId ?? 10000}/${a.epoch}`;
    const e = new ShmPoolAnnounceEncoder()
      .wrapAndApplyHeader(b)
      .streamId(a.streamId ?? 10000)
      .producerId(a.producerId ?? 0)
      .epoch(a.epoch)
      .announceTimestampNs(a.ts ?? BigInt(sched.now() * 1e6))
      .announceClockDomain(ClockDomain.MONOTONIC)
      .layoutVersion(a.layout ?? 1)
      .headerNslots(8)
      .headerSlotBytes(a.slotBytes ?? 256);
    const g = e.payloadPoolsCount(1);
    g.next().poolId(1).poolNslots(a.poolNslots ?? 8).strideBytes(4096).regionUri(`shm:file?path=${dir}/1.pool`);
    g.close();
    e.headerRegionUri(a.headerUri ?? `shm:file?path=${dir}/header.ring`);
    const n = e.finish();
    if (a.domain !== undefined) b[8 + 24] = a.domain; // raw, so that undefined domains can be sent
    return b.slice(0, n);
  };
  return { sched, tracker, changes, timeouts, announce };
}

describe('AnnounceTracker: acceptance (SHM_LAYOUT §7.5)', () => {
  test('rule 4 / EPOCH-02: the highest epoch wins; epoch-changed fires once per change, with the new regions', () => {
    const { tracker, changes, announce } = setup();
    tracker.track(10000);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n })), 'epoch-changed');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n })), 'same-epoch');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 9n, producerId: 77 })), 'epoch-changed');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 9n })), 'same-epoch');
    assert.deepEqual(changes.map((c) => [c.previousEpoch, c.epoch]), [[null, 5n], [5n, 9n]]);
    const last = changes[1]!;
    assert.equal(last.producerId, 77);
    assert.equal(last.regions.header.path, '/tmp/tp/tensorpool-u/default/10000/9/header.ring');
    assert.deepEqual(last.regions.pools.map((p) => [p.poolId, p.nslots, p.strideBytes]), [[1, 8, 4096]]);
    assert.equal(tracker.current(10000)?.epoch, 9n);
  });

  test('rule 4: a lower epoch is ignored and changes nothing', () => {
    const { tracker, changes, announce } = setup();
    tracker.track(10000);
    tracker.handleAnnounce(announce({ epoch: 9n }));
    assert.equal(tracker.handleAnnounce(announce({ epoch: 8n })), 'lower-epoch');
    assert.equal(changes.length, 1);
    assert.equal(tracker.current(10000)?.epoch, 9n);
  });

  test('rule 2: an announce older than the freshness window (3 × period) is ignored; one just inside is accepted', () => {
    const { sched, tracker, changes, announce } = setup();
    tracker.track(10000);
    sched.advance(10_000);
    const now = BigInt(sched.now() * 1e6);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, ts: now - 3_000_000_001n })), 'stale');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, ts: now - 3_000_000_000n })), 'epoch-changed');
    assert.equal(changes.length, 1);
  });

  test('rule 3: a MONOTONIC announce older than the join time (by more than freshness) is ignored; rule 7: timestamp 0 is ignored', () => {
    const { sched, tracker, announce } = setup();
    sched.advance(5_000);
    tracker.track(10000);
    const join = BigInt(sched.now() * 1e6);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, ts: join - 3_500_000_000n })), 'stale');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, ts: 0n })), 'stale');
    assert.equal(tracker.counters.stale, 2);
  });

  test('rule 1: other streams and other layout versions are ignored; rule 3: unknown clock domains too', () => {
    const { tracker, changes, announce } = setup();
    tracker.track(10000, 1);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, streamId: 10001 })), 'untracked');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, layout: 2 })), 'layout-mismatch');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, domain: 9 })), 'bad-clock-domain');
    assert.equal(changes.length, 0);
  });

  test('ANNOUNCE-03 / CLIENT-03..05: an announce with bad regions is malformed and never adopted', () => {
    const { tracker, changes, announce } = setup();
    tracker.track(10000);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, slotBytes: 255 })), 'malformed');
    assert.equal(tracker.lastProblem?.rule, 'CLIENT-03');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, poolNslots: 4 })), 'malformed');
    assert.equal(tracker.lastProblem?.rule, 'CLIENT-04');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n, headerUri: 'shm:file?path=rel/x' })), 'malformed');
    assert.equal(tracker.lastProblem?.rule, 'CLIENT-05');
    const good = announce({ epoch: 5n });
    assert.equal(tracker.handleAnnounce(good.subarray(0, good.length - 3)), 'malformed');
    assert.equal(changes.length, 0);
    assert.equal(tracker.current(10000), null);
  });

  test('CLIENT-16: adopt() sets the attach response epoch as the baseline without an event; the same epoch announced is no change', () => {
    const { tracker, changes, announce } = setup();
    const regions = { header: { uri: 'shm:file?path=/h', path: '/h', requireHugepages: false, nslots: 8, slotBytes: 256 }, pools: [] };
    tracker.adopt(10000, 5n, 1, regions);
    assert.equal(tracker.handleAnnounce(announce({ epoch: 5n })), 'same-epoch');
    assert.equal(tracker.handleAnnounce(announce({ epoch: 4n })), 'lower-epoch');
    assert.equal(changes.length, 0);
    tracker.adopt(10000, 3n, 1, regions); // never lowers what was seen
    assert.equal(tracker.current(10000)?.epoch, 5n);
  });
});

describe('AnnounceTracker: producer revoke (REVOKE-06 case 2)', () => {
  test('REVOKE-08: no epoch-bumped announce within 3 × the announce period → announce-timeout, once', () => {
    const { sched, tracker, timeouts, announce } = setup();
    tracker.track(10000);
    tracker.handleAnnounce(announce({ epoch: 5n }));
    tracker.producerRevoked(10000);
    tracker.producerRevoked(10000); // a duplicate notice does not restart the wait (REVOKE-04)
    assert.equal(tracker.awaitingNewEpoch(10000), true);
    sched.advance(2_999);
    assert.equal(timeouts.length, 0);
    tracker.handleAnnounce(announce({ epoch: 5n })); // same epoch: still waiting (REVOKE-09)
    sched.advance(1);
    assert.deepEqual(timeouts, [{ streamId: 10000, epoch: 5n, waitedMs: 3_000 }]);
    assert.equal(tracker.awaitingNewEpoch(10000), false);
    sched.advance(10_000);
    assert.equal(timeouts.length, 1);
  });

  test('REVOKE-09: an announce with a strictly greater epoch ends the wait (epoch-changed, no timeout)', () => {
    const { sched, tracker, changes, timeouts, announce } = setup();
    tracker.track(10000);
    tracker.handleAnnounce(announce({ epoch: 5n }));
    tracker.producerRevoked(10000);
    sched.advance(500);
    tracker.handleAnnounce(announce({ epoch: 6n }));
    assert.equal(tracker.awaitingNewEpoch(10000), false);
    sched.advance(5_000);
    assert.equal(timeouts.length, 0);
    assert.deepEqual(changes.map((c) => c.epoch), [5n, 6n]);
  });

  test('the wait is configurable, and untrack()/close() cancel it', () => {
    const { sched, tracker, timeouts, announce } = setup({ revokeWaitMs: 9_000 });
    tracker.track(10000);
    tracker.handleAnnounce(announce({ epoch: 5n }));
    tracker.producerRevoked(10000);
    sched.advance(8_999);
    assert.equal(timeouts.length, 0);
    tracker.untrack(10000);
    sched.advance(10);
    assert.equal(timeouts.length, 0);
    assert.equal(sched.pending, 0);
    tracker.producerRevoked(10000); // untracked: nothing to wait for
    assert.equal(sched.pending, 0);
  });
});
