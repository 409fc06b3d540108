/**
 * Filesystem and configuration rules through the real backend and the real loader
 * (TRACEABILITY.md): FS-01/02/03, OWN-01, ATTACH-11 on real files, KEEPALIVE-04, ANNOUNCE-02,
 * SHUTDOWN-08 defaults.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/driver/config/index.js';
import type { DriverConfig } from '../../src/driver/config/driver-config.js';
import { Driver } from '../../src/driver/driver.js';
import { FsShmBackend } from '../../src/driver/fs-shm-backend.js';
import { ManualClock } from '../../src/driver/clock.js';
import { parseRegionUri } from '../../src/shm/index.js';
import { HugepagesPolicy, PublishMode, ResponseCode, Role, ShmAttachRequestEncoder } from '../../src/sbe/index.js';
import { CapturingSink, type Sent } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'tp-rules-fs-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function setup(extra = '', env: Record<string, string> = {}) {
  const base = join(root, `b${n++}`);
  const config = loadConfig({
    toml: `
[driver]
stream_id_range = "20000-20009"
[shm]
base_dir = "${base}"
namespace = "rules"
${extra}
[policies]
allow_dynamic_streams = true
default_profile = "p"
[profiles.p]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }, { pool_id = 7, stride_bytes = 65536 }]
[streams.s]
stream_id = 10000
profile = "p"
`,
    env: { USER: 'tester', ...env },
  });
  const clock = new ManualClock(1_000_000_000);
  const sink = new CapturingSink();
  const warnings: string[] = [];
  const driver = new Driver({ config, shm: new FsShmBackend(config, { user: 'tester', warn: (m) => warnings.push(m) }), sink, clock: clock.read }).start();
  const nsDir = join(base, 'tensorpool-tester', 'rules');
  const attach = (clientId: number, role: Role, streamId = 10000, publishMode: number | null = null, hugepages: HugepagesPolicy = HugepagesPolicy.UNSPECIFIED): Extract<Sent, { kind: 'attach' }> => {
    const b = new Uint8Array(64);
    const len = new ShmAttachRequestEncoder().wrapAndApplyHeader(b).correlationId(1n).streamId(streamId).clientId(clientId).role(role)
      .expectedLayoutVersion(0).publishMode(publishMode as PublishMode | null).requireHugepages(hugepages).desiredNodeId(null).finish();
    driver.updateTime();
    driver.receive(1, b, 0, len);
    const r = sink.take().find((s) => s.kind === 'attach');
    assert.ok(r !== undefined && r.kind === 'attach');
    return r;
  };
  return { config, clock, driver, sink, nsDir, attach, warnings };
}

describe('FS rules on real files', () => {
  test('FS-02, OWN-01: a dynamic stream gets <base>/tensorpool-<user>/<ns>/<allocated id>/<epoch>/{header.ring,1.pool,7.pool}; URIs name exactly those files', () => {
    const { nsDir, attach, driver } = setup();
    const r = attach(1, Role.PRODUCER, 5, PublishMode.EXISTING_OR_CREATE);
    assert.equal(r.code, ResponseCode.OK, r.error);
    const dir = join(nsDir, '20000', String(r.epoch));
    assert.deepEqual(readdirSync(dir).sort(), ['1.pool', '7.pool', 'header.ring']);
    assert.equal(parseRegionUri(r.headerUri).path, join(dir, 'header.ring'));
    assert.ok(statSync(join(dir, '7.pool')).isFile());
    driver.close();
  });

  test('FS-01: a symlink planted at the stream directory is refused: INTERNAL_ERROR, nothing written through it, the next stream unaffected', () => {
    const { nsDir, attach, driver } = setup();
    const elsewhere = join(root, `elsewhere${n}`);
    mkdirSync(elsewhere, { recursive: true });
    mkdirSync(nsDir, { recursive: true });
    symlinkSync(elsewhere, join(nsDir, '10000'));
    const r = attach(1, Role.CONSUMER);
    assert.equal(r.code, ResponseCode.INTERNAL_ERROR);
    assert.match(r.error, /^failed to provision SHM: /);
    assert.deepEqual(readdirSync(elsewhere), []);
    assert.equal(attach(2, Role.CONSUMER, 5, PublishMode.EXISTING_OR_CREATE).code, ResponseCode.OK);
    driver.close();
  });

  test('ATTACH-11, FS-01 hugepage enforcement: with shm.require_hugepages on a non-hugetlbfs base, HUGEPAGES passes the policy check and is refused by provisioning; no files', () => {
    const { nsDir, attach, driver } = setup('require_hugepages = true');
    const r = attach(1, Role.CONSUMER, 10000, null, HugepagesPolicy.HUGEPAGES);
    assert.equal(r.code, ResponseCode.INTERNAL_ERROR);
    assert.match(r.error, /^failed to provision SHM: .*hugetlbfs/);
    assert.equal(existsSync(join(nsDir, '10000')) && readdirSync(join(nsDir, '10000')).length > 0, false);
    driver.close();
  });

  test('FS-03 (deviation: unsupported platform): policies.mlock_shm=true warns once and attaches still succeed', () => {
    const { attach, warnings, driver } = setup('', { POLICIES_MLOCK_SHM: 'true' });
    assert.equal(warnings.filter((w) => /mlock/.test(w)).length, 1);
    assert.equal(attach(1, Role.CONSUMER).code, ResponseCode.OK);
    driver.close();
  });
});

describe('configuration-backed rules (loadConfig defaults)', () => {
  const defaults = (): DriverConfig => loadConfig({ env: { USER: 'tester' } });

  test('KEEPALIVE-04/06: the baseline (1 s keepalive, 3 missed → expiry) is the default, discoverable in the config', () => {
    const { policies } = defaults();
    assert.deepEqual([policies.leaseKeepaliveIntervalMs, policies.leaseExpiryGraceIntervals], [1000, 3]);
    const { attach, clock } = setup();
    const r = attach(1, Role.CONSUMER);
    assert.equal(r.expiry, BigInt(clock.nowNs + 3_000_000_000));
  });

  test('ANNOUNCE-02, SHUTDOWN-08: defaults announce_period_ms = 1000 and shutdown_timeout_ms = 2000', () => {
    const { policies } = defaults();
    assert.deepEqual([policies.announcePeriodMs, policies.shutdownTimeoutMs], [1000, 2000]);
  });

  test('SHUTDOWN-07: no token is configured by default, so administrative shutdown is off', () => {
    assert.equal(defaults().policies.shutdownToken, '');
  });
});
