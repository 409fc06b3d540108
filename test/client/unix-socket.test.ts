/**
 * The same DriverClient over the real Unix socket transport (a DriverServer in this process):
 * attach, then SHUTDOWN-05 — the server stops, the client loses the lease on the shutdown
 * notice, and reattaches to the next server on the same channel. Real timers, but no sleeps:
 * every wait is for an event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DriverClient, type Lease, type LeaseLossCause } from '../../src/client/index.js';
import { DriverServer, connectUnix } from '../../src/transport/index.js';
import { FakeShm, testConfig } from '../driver/harness.js';

test('SHUTDOWN-05 over a Unix socket: lease, shutdown notice, reattach to the next driver', { timeout: 15_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-client-'));
  const channel = `unix:${join(dir, 'control.sock')}`;
  const config = () => testConfig({}, { driver: { ...testConfig().driver, controlChannel: channel } });
  let server = await DriverServer.start({ config: config(), shm: new FakeShm() });
  const client = new DriverClient({ connect: () => connectUnix(channel) });
  try {
    const lease = await client.attach({ streamId: 10000, role: 'consumer' });
    assert.equal(lease.streamId, 10000);
    assert.equal(server.status().leases.length, 1);

    const lost = new Promise<LeaseLossCause>((resolve) => client.once('lease-lost', (_l, cause) => resolve(cause)));
    const reattached = new Promise<Lease>((resolve) => client.once('attached', resolve));
    await server.stop();
    assert.equal((await lost).kind, 'shutdown');
    assert.equal(client.lease, null);

    server = await DriverServer.start({ config: config(), shm: new FakeShm() });
    const next = await reattached;
    assert.equal(client.state, 'Attached');
    assert.equal(next.streamId, 10000);
    assert.equal(server.status().leases.length, 1);
  } finally {
    client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
