/**
 * Found by the soak (docs/reliability/soak.md): a driver whose event loop stalls for longer than
 * a lease lifetime — a long GC, a burst of broadcasts, or simply not being scheduled on a busy
 * host — must not expire the leases of clients that kept sending keepalives meanwhile. Their
 * keepalives are waiting in the socket buffers; KEEPALIVE-03 expires a lease only when no
 * keepalive arrived in time, and these did arrive (at the socket), the driver just had not read
 * them. The client here is its own process, so it keeps sending while this process is blocked.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { spawnClient, type ClientProcess } from '../system/system-harness.js';
import { configFor, startServer, tempBase } from './socket-harness.js';

let base: { dir: string; cleanup: () => void };
let client: ClientProcess | undefined;
before(() => (base = tempBase()));
after(() => {
  client?.kill();
  base.cleanup();
});

/** Blocks this thread (no spinning) as a descheduled or GC-paused driver would be. */
function stall(ms: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      resolve();
    }, 0),
  );
}

test(
  'a driver stalled past the lease lifetime reads the keepalives queued meanwhile before judging expiry',
  async () => {
    // 100 ms keepalives (the client fixture's interval), lease lifetime 3 × 100 ms.
    const config = configFor(base.dir, { 'shm.namespace': 'stall', 'policies.lease_keepalive_interval_ms': 100, 'policies.lease_expiry_grace_intervals': 3 });
    const { server } = await startServer(config);
    try {
      client = spawnClient({ channel: server.channel, role: 'producer' });
      await client.next('attached', 5000);
      const counters = server.driver.counters;
      const before = counters.keepalives;
      for (let i = 0; i < 100 && counters.keepalives === before; i++) await sleep(20);
      assert.ok(counters.keepalives > before, 'the client keeps its lease alive');

      await stall(1000); // > 300 ms lifetime; the client sends ~10 keepalives meanwhile
      const resumed = counters.keepalives;
      for (let i = 0; i < 100 && counters.keepalives < resumed + 5; i++) await sleep(20);
      assert.ok(counters.keepalives >= resumed + 5, 'the queued keepalives were read');
      assert.equal(counters.leasesExpired, 0, 'no lease expired although every keepalive was sent on time');
    } finally {
      await server.stop();
    }
  },
);
