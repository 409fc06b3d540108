/**
 * Found while building the fault-injection rig (docs/reliability/faults.md, "Found" 2): a client
 * whose configured keepalive interval is not shorter than the lease lifetime the driver grants
 * loses its lease every lifetime, although the grant's expiry tells it the deadline (CLIENT-17:
 * a hard deadline for keepalive arrival). Here `tensorpool produce` keeps its default 1 s
 * interval against a driver that expires leases after 10 × 100 ms: its epoch changes about once
 * a second while it publishes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { run } from '../cli/cli-harness.js';
import { tempBase } from '../transport/socket-harness.js';
import { startDriverProcess, type RunningDriver } from '../system/system-harness.js';

let base: { dir: string; cleanup: () => void };
let driver: RunningDriver | undefined;
before(() => {
  base = tempBase();
});
after(() => {
  driver?.child.kill('SIGKILL');
  base.cleanup();
});

test(
  'a producer keeps one lease for 2.5 s when its keepalive interval exceeds the granted lifetime',
  { timeout: 20_000 },
  async () => {
    driver = await startDriverProcess({ baseDir: base.dir, namespace: 'ka' });
    // No POLICIES_LEASE_KEEPALIVE_INTERVAL_MS: the CLI uses its default 1000 ms.
    const env = { ...process.env, SHM_BASE_DIR: base.dir };
    const r = await run(['produce', '--stream', '10000', '--shape', '64', '--rate', '200', '--count', '500', '--control', driver.channel], env, 15_000);
    assert.equal(r.code, 0, r.stderr);
    const epochs = [...r.stderr.matchAll(/epoch (\d+) mapped/g)].map((m) => m[1]);
    assert.equal(epochs.length, 1, `one epoch for the whole run, got ${epochs.length}: ${r.stderr}`);
  },
);
