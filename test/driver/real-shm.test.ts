/**
 * The driver on the real filesystem backend and the real config loader: files appear where
 * SHM_LAYOUT §9 says (FS-02), epochs survive a driver restart without reuse (EPOCH-04/08), GC
 * keeps the newest epochs (§12), cleanup on exit removes current files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/driver/config/index.js';
import { Driver } from '../../src/driver/driver.js';
import { FsShmBackend } from '../../src/driver/fs-shm-backend.js';
import { ManualClock } from '../../src/driver/clock.js';
import { parseRegionUri } from '../../src/shm/index.js';
import { CapturingSink, type Sent } from './harness.js';
import { HugepagesPolicy, Role, ShmAttachRequestEncoder, ShmDetachRequestEncoder } from '../../src/sbe/index.js';

const base = mkdtempSync(join(tmpdir(), 'tp-driver-'));
after(() => rmSync(base, { recursive: true, force: true }));

function makeDriver(clock: ManualClock, extra = '') {
  const config = loadConfig({
    toml: `
[shm]
base_dir = "${base}"
namespace = "it"
[policies]
announce_period_ms = 1000
epoch_gc_keep = 2
epoch_gc_min_age_ns = 1
cleanup_shm_on_exit = true
${extra}
[profiles.p]
header_nslots = 4
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }]
[streams.s]
stream_id = 10000
profile = "p"
`,
    env: { USER: 'tester' },
  });
  const sink = new CapturingSink();
  const driver = new Driver({ config, shm: new FsShmBackend(config, { user: 'tester' }), sink, clock: clock.read }).start();
  return { driver, sink };
}

function attach(driver: Driver, clientId: number, role: number): void {
  const b = new Uint8Array(64);
  const n = new ShmAttachRequestEncoder().wrapAndApplyHeader(b).correlationId(1n).streamId(10000).clientId(clientId).role(role as Role)
    .expectedLayoutVersion(0).publishMode(null).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(null).finish();
  driver.updateTime();
  driver.receive(1, b, 0, n);
}

function detach(driver: Driver, leaseId: bigint, clientId: number, role: number): void {
  const b = new Uint8Array(64);
  const n = new ShmDetachRequestEncoder().wrapAndApplyHeader(b).correlationId(2n).leaseId(leaseId).streamId(10000).clientId(clientId).role(role as Role).finish();
  driver.updateTime();
  driver.receive(1, b, 0, n);
}

describe('driver on real SHM files', () => {
  const clock = new ManualClock(10_000_000_000);
  const streamDir = join(base, 'tensorpool-tester', 'it', '10000');
  let firstEpoch = 0n;

  test('FS-02: an attach creates <base>/tensorpool-<user>/<ns>/<stream>/<epoch>/{header.ring,1.pool} with the right sizes', () => {
    const { driver, sink } = makeDriver(clock);
    attach(driver, 1, Role.PRODUCER);
    const r = sink.take().find((s) => s.kind === 'attach') as Extract<Sent, { kind: 'attach' }>;
    assert.equal(r.code, 0, r.error);
    firstEpoch = r.epoch as bigint;
    const header = parseRegionUri(r.headerUri).path;
    assert.equal(header, join(streamDir, String(firstEpoch), 'header.ring'));
    assert.equal(statSync(header).size, 64 + 4 * 256);
    assert.equal(statSync(join(streamDir, String(firstEpoch), '1.pool')).size, 64 + 4 * 4096);
    // Producer detach: new epoch directory; GC keeps current + one previous.
    for (let i = 0; i < 3; i++) {
      clock.advanceMs(10);
      detach(driver, BigInt(i + 1), 1, Role.PRODUCER);
      clock.advanceMs(10);
      attach(driver, 1, Role.PRODUCER);
    }
    const dirs = readdirSync(streamDir).sort();
    assert.equal(dirs.length, 2, `epoch dirs: ${dirs.join(',')}`);
    driver.close(); // cleanup_shm_on_exit removes the current epoch
    assert.equal(readdirSync(streamDir).length, 1);
  });

  test('EPOCH-03 (issue 7): a consumer attaching after the current epoch\'s files were deleted or truncated gets a fresh epoch; the producer is revoked', () => {
    const { driver, sink } = makeDriver(clock);
    const granted = (): Extract<Sent, { kind: 'attach' }> => sink.take().find((s) => s.kind === 'attach') as Extract<Sent, { kind: 'attach' }>;
    attach(driver, 1, Role.PRODUCER);
    const p = granted();
    assert.equal(p.code, 0, p.error);
    rmSync(parseRegionUri(p.headerUri).path); // deleted under the running driver
    clock.advanceMs(10);
    attach(driver, 2, Role.CONSUMER);
    const sent = sink.take();
    const c = sent.find((s) => s.kind === 'attach') as Extract<Sent, { kind: 'attach' }>;
    assert.equal(c.code, 0, c.error);
    assert.ok((c.epoch as bigint) > (p.epoch as bigint), `${c.epoch} > ${p.epoch}`);
    assert.ok(existsSync(parseRegionUri(c.headerUri).path));
    assert.deepEqual(sent.filter((s) => s.kind === 'revoked').map((s) => (s.kind === 'revoked' ? s.leaseId : 0n)), [p.leaseId]);
    assert.equal(driver.counters.regionsLost, 1);

    // No producer now (READY): a truncated pool is replaced the same way.
    const pool = join(streamDir, String(c.epoch), '1.pool');
    truncateSync(pool, 64);
    clock.advanceMs(10);
    attach(driver, 3, Role.CONSUMER);
    const c2 = granted();
    assert.equal(c2.code, 0, c2.error);
    assert.ok((c2.epoch as bigint) > (c.epoch as bigint));
    assert.equal(statSync(join(streamDir, String(c2.epoch), '1.pool')).size, 64 + 4 * 4096);
    assert.equal(driver.counters.regionsLost, 2);
    // Intact files: no new epoch.
    attach(driver, 4, Role.CONSUMER);
    assert.equal(granted().epoch, c2.epoch);
    driver.close();
  });

  test('EPOCH-04/08: after a restart (and a clock that went backwards) epochs are still higher than any on disk', () => {
    const back = new ManualClock(1_000); // e.g. another boot: the monotonic clock restarted
    const { driver, sink } = makeDriver(back);
    attach(driver, 1, Role.CONSUMER);
    const r = sink.take().find((s) => s.kind === 'attach') as Extract<Sent, { kind: 'attach' }>;
    assert.equal(r.code, 0, r.error);
    assert.ok((r.epoch as bigint) > firstEpoch + 3n, `${r.epoch} > ${firstEpoch}`);
    assert.ok(existsSync(join(streamDir, String(r.epoch))));
    driver.close();
  });
});
