/**
 * Shutdown rules step by step (TRACEABILITY.md): SHUTDOWN-02/04/07/08/09.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShmDriverShutdownDecoder, ShmDriverShutdownRequestEncoder, ShutdownReason } from '../../src/sbe/index.js';
import { Harness, kinds, lastFrames, testConfig } from './harness.js';

describe('SHUTDOWN-08 drain sequence, step by step', () => {
  test('SHUTDOWN-08 steps 1-2: the timer runs from the request (not from start); every known stream is announced once at drain start', () => {
    const h = new Harness(testConfig({ shutdownTimeoutMs: 500, announcePeriodMs: 60_000 }));
    h.advanceMs(0);
    h.lease({ clientId: 1, role: 'consumer' });
    h.lease({ clientId: 2, role: 'producer', streamId: 1, publishMode: 2 });
    h.advanceMs(2000);
    const start = h.shutdownRequest('secret', ShutdownReason.ERROR, 'disk failing');
    assert.deepEqual(start.map((s) => (s.kind === 'announce' ? s.streamId : s.kind)), [10000, 20000]);
    assert.deepEqual(h.advanceMs(499).filter((s) => s.kind === 'shutdown'), []);
    const end = h.advanceMs(1);
    assert.deepEqual(kinds(end), ['shutdown']);
    const d = new ShmDriverShutdownDecoder().wrap(lastFrames(h, 'shutdown')[0] as Uint8Array);
    // Step 4: timestampNs = now, reason and errorMessage as stored at step 1.
    assert.deepEqual([d.timestampNs(), d.reason(), d.errorMessage()], [BigInt(h.clock.nowNs), ShutdownReason.ERROR, 'disk failing']);
  });

  test('SHUTDOWN-08 step 3: a second valid request while draining changes neither the deadline nor the stored reason', () => {
    const h = new Harness();
    h.shutdownRequest('secret', ShutdownReason.ADMIN, 'first');
    h.clock.advanceMs(1500);
    assert.deepEqual(h.shutdownRequest('secret', ShutdownReason.ERROR, 'second'), []);
    const sent = h.advanceMs(500).filter((s) => s.kind === 'shutdown');
    assert.deepEqual(sent.map((s) => (s.kind === 'shutdown' ? [s.reason, s.error] : null)), [[ShutdownReason.ADMIN, 'first']]);
  });

  test('SHUTDOWN-08 steps 4-5: the notice is sent once (timer disabled); Stopped answers attaches "driver draining" and nothing else', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'producer' });
    h.shutdownRequest('secret', ShutdownReason.NORMAL);
    assert.deepEqual(kinds(h.advanceMs(2000)).filter((k) => k === 'shutdown'), ['shutdown']);
    assert.deepEqual(h.advanceMs(2000), []);
    assert.deepEqual(h.keepalive(c.leaseId as bigint, 10000, 1, 'producer'), []);
    assert.deepEqual(h.detach(c.leaseId as bigint, 10000, 1, 'producer'), []);
    assert.deepEqual(h.hello(10000, 1, 'unix:/d', 3), []);
    const r = h.attach({ clientId: 9, role: 'consumer' });
    assert.deepEqual(r.map((s) => (s.kind === 'attach' ? s.error : s.kind)), ['driver draining']);
  });

  test('SHUTDOWN-08: leases are not revoked one by one at shutdown: no ShmLeaseRevoked and no epoch bump, even long past every deadline', () => {
    const h = new Harness(testConfig({ shutdownTimeoutMs: 0 }));
    h.lease({ clientId: 1, role: 'producer' });
    h.lease({ clientId: 2, role: 'consumer' });
    const sent = [...h.shutdownRequest('secret', ShutdownReason.ADMIN), ...h.advanceMs(60_000)];
    assert.deepEqual(kinds(sent), ['announce', 'shutdown']);
    assert.equal(h.shm.provisioned.length, 1);
  });

  test('SHUTDOWN-07: an unknown reason or a token var-data overrunning the frame is ignored (no state change, no response)', () => {
    const h = new Harness();
    const b = new Uint8Array(64);
    const n = new ShmDriverShutdownRequestEncoder().wrapAndApplyHeader(b).correlationId(1n).reason(ShutdownReason.ADMIN).token('secret').errorMessage('').finish();
    const bad = b.slice(0, n);
    bad[8 + 8] = 77; // reason
    assert.deepEqual(h.raw(bad), []);
    const overrun = b.slice(0, n);
    overrun[8 + 9] = 200; // token length past the end
    assert.deepEqual(h.raw(overrun), []);
    assert.equal(h.driver.state, 'Running');
    assert.deepEqual(kinds(h.raw(b.slice(0, n))), []);
    assert.equal(h.driver.state, 'Running_Draining');
  });

  test('SHUTDOWN-04/09: close() after a drain already stopped the driver sends nothing more', () => {
    const h = new Harness(testConfig({ shutdownTimeoutMs: 0 }));
    assert.deepEqual(kinds(h.shutdownRequest('secret', ShutdownReason.NORMAL)), ['shutdown']);
    h.driver.close();
    h.driver.close();
    assert.deepEqual(h.sink.take(), []);
  });
});

describe('after Stopped (SHUTDOWN-08 step 5, SHUTDOWN-09)', () => {
  test('SHUTDOWN-08: a connection closing after the driver stopped revokes nothing and provisions no new epoch', () => {
    // Clients disconnect right after ShmDriverShutdown; their leases died with the driver.
    const h = new Harness(testConfig({ cleanupShmOnExit: true }));
    const p = h.lease({ clientId: 1, role: 'producer', connection: 4 });
    h.lease({ clientId: 2, role: 'consumer', connection: 5 });
    h.driver.close();
    assert.deepEqual(kinds(h.sink.take()), ['shutdown']);
    h.driver.connectionClosed(4);
    h.driver.connectionClosed(5);
    assert.deepEqual(h.sink.take(), []);
    assert.equal(h.shm.provisioned.length, 1); // no epoch directory created after cleanup_shm_on_exit ran
    assert.deepEqual(h.shm.removed, [{ streamId: 10000, epoch: p.epoch }]);
  });
});
