/** Driver lifecycle and administrative shutdown: SHUTDOWN, ATTACH-18, KEEPALIVE-09. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseCode, ShutdownReason } from '../../src/sbe/index.js';
import { Harness, kinds, testConfig, type Sent } from './harness.js';

describe('driver lifecycle (DriverHsm)', () => {
  test('Init → Running on start', () => {
    assert.equal(new Harness().driver.state, 'Running');
  });
});

describe('administrative shutdown (SHUTDOWN)', () => {
  test('SHUTDOWN-02/07: a wrong token or no configured token is ignored (no response) and counted', () => {
    const h = new Harness();
    assert.deepEqual(h.shutdownRequest('wrong', ShutdownReason.ADMIN), []);
    assert.deepEqual(h.shutdownRequest('secre', ShutdownReason.ADMIN), []);
    assert.deepEqual(h.shutdownRequest('', ShutdownReason.ADMIN), []);
    assert.equal(h.driver.state, 'Running');
    const off = new Harness(testConfig({ shutdownToken: '' }));
    assert.deepEqual(off.shutdownRequest('', ShutdownReason.ADMIN), []);
    assert.equal(off.driver.state, 'Running');
    assert.equal(h.driver.counters.shutdownRequestsIgnored, 3);
  });

  test('SHUTDOWN-03/08: valid token → Running_Draining with a final announce of every stream; attaches REJECTED "driver draining"', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer' });
    const sent = h.shutdownRequest('secret', ShutdownReason.ADMIN, 'maintenance');
    assert.deepEqual(kinds(sent), ['announce']);
    assert.equal(h.driver.state, 'Running_Draining');
    const r = h.attach({ clientId: 2, role: 'consumer' });
    assert.deepEqual(kinds(r), ['attach']);
    assert.equal((r[0] as Extract<Sent, { kind: 'attach' }>).code, ResponseCode.REJECTED);
    assert.equal((r[0] as Extract<Sent, { kind: 'attach' }>).error, 'driver draining');
    // KEEPALIVE-09: keepalives and detaches still work while draining.
    h.clock.advanceMs(1000);
    h.keepalive(c.leaseId as bigint, 10000, 1, 'consumer');
    assert.equal(h.driver.counters.keepalives, 1);
    // Further shutdown requests are ignored.
    h.shutdownRequest('secret', ShutdownReason.ERROR, 'again');
    assert.equal(h.driver.counters.shutdownRequestsIgnored, 1);
  });

  test('SHUTDOWN-08 step 4: after shutdown_timeout_ms, ShmDriverShutdown with the stored reason and message → Stopped', () => {
    const h = new Harness();
    h.shutdownRequest('secret', ShutdownReason.ADMIN, 'maintenance');
    assert.deepEqual(h.advanceMs(1999).filter((s) => s.kind === 'shutdown'), []);
    const sent = h.advanceMs(1).filter((s) => s.kind === 'shutdown') as Extract<Sent, { kind: 'shutdown' }>[];
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.reason, ShutdownReason.ADMIN);
    assert.equal(sent[0]?.error, 'maintenance');
    assert.equal(h.driver.state, 'Stopped');
    // Stopped: attaches still get "driver draining"; other messages are counted and dropped.
    const r = h.attach({ clientId: 5, role: 'consumer' });
    assert.equal((r[0] as Extract<Sent, { kind: 'attach' }>).error, 'driver draining');
  });

  test('a zero shutdown_timeout_ms shuts down at once (the RI never would)', () => {
    const h = new Harness(testConfig({ shutdownTimeoutMs: 0 }));
    const sent = h.shutdownRequest('secret', ShutdownReason.NORMAL);
    assert.deepEqual(kinds(sent).filter((k) => k === 'shutdown'), ['shutdown']);
    assert.equal(h.driver.state, 'Stopped');
  });

  test('SHUTDOWN-09: close() without a request sends ShmDriverShutdown(NORMAL) at once and stops', () => {
    const h = new Harness(testConfig({ cleanupShmOnExit: true }));
    const c = h.lease({ clientId: 1, role: 'consumer' });
    h.driver.close();
    const sent = h.sink.take();
    assert.deepEqual(kinds(sent), ['shutdown']);
    assert.equal((sent[0] as Extract<Sent, { kind: 'shutdown' }>).reason, ShutdownReason.NORMAL);
    assert.equal(h.driver.state, 'Stopped');
    // policies.cleanup_shm_on_exit removes the current epoch's files.
    assert.deepEqual(h.shm.removed, [{ streamId: 10000, epoch: c.epoch }]);
  });
});
