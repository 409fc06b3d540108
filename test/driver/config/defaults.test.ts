import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG_TOML, describeConfig, formatConfig, loadConfig } from '../../../src/driver/config/index.js';
import { MINIMAL_TOML } from './expect-config-error.js';

describe('built-in default config (used with no file)', () => {
  test('runs with no file: one profile, one static stream, a dynamic stream range', () => {
    const cfg = loadConfig({ env: { USER: 'alice' } });
    assert.equal(cfg.driver.instanceId, 'driver-01');
    assert.equal(cfg.driver.controlChannel, 'unix:/dev/shm/tensorpool/tensorpool-alice/default/control.sock');
    assert.equal(cfg.driver.controlStreamId, 1000);
    assert.equal(cfg.driver.announceStreamId, 1000);
    assert.deepEqual(cfg.driver.streamIdRange, { start: 20000, end: 29999 });
    assert.equal(cfg.shm.baseDir, '/dev/shm/tensorpool', 'the spec default, not the RI /dev/shm');
    assert.deepEqual(cfg.shm.allowedBaseDirs, ['/dev/shm/tensorpool']);
    assert.equal(cfg.shm.permissionsMode, 0o660);
    assert.equal(cfg.policies.allowDynamicStreams, true);
    assert.equal(cfg.policies.defaultProfile, 'default');
    assert.deepEqual([...cfg.profiles.values()], [
      { name: 'default', headerNslots: 64, headerSlotBytes: 256, payloadPools: [{ poolId: 1, strideBytes: 4096 }, { poolId: 2, strideBytes: 1048576 }] },
    ]);
    assert.deepEqual(cfg.streams, [{ name: 'default', streamId: 10000, profile: 'default' }]);
  });

  test('env still overrides the built-in document', () => {
    const cfg = loadConfig({ env: { POLICIES_ALLOW_DYNAMIC_STREAMS: 'false', DRIVER_STREAM_ID_RANGE: '' } });
    assert.equal(cfg.policies.allowDynamicStreams, false);
    assert.equal(cfg.driver.streamIdRange, null);
  });

  test('per-key CONFIG.md defaults apply to a file that sets nothing but a profile and a stream', () => {
    const { policies, shm } = loadConfig({ toml: MINIMAL_TOML, env: {} });
    assert.deepEqual(policies, {
      allowDynamicStreams: false,
      defaultProfile: 'p',
      announcePeriodMs: 1000,
      leaseKeepaliveIntervalMs: 1000,
      leaseExpiryGraceIntervals: 3,
      prefaultShm: true,
      reuseExistingShm: false,
      mlockShm: false,
      cleanupShmOnExit: false,
      epochGcEnabled: true,
      epochGcKeep: 2,
      epochGcMinAgeNs: 3_000_000_000n,
      epochGcOnStartup: false,
      shutdownTimeoutMs: 2000,
      shutdownToken: '',
      revokeOnDisconnect: true,
    });
    assert.equal(shm.requireHugepages, false);
    assert.equal(shm.pageSizeBytes, 4096);
    assert.equal(shm.namespace, 'default');
  });

  test('a file is read from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-config-'));
    try {
      const file = join(dir, 'driver.toml');
      writeFileSync(file, `${MINIMAL_TOML}\n[driver]\ninstance_id = "from-file"\n`);
      assert.equal(loadConfig({ file, env: {} }).driver.instanceId, 'from-file');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('describeConfig / formatConfig', () => {
  test('describeConfig is JSON-safe, in CONFIG.md key names, with the shutdown token redacted', () => {
    const cfg = loadConfig({ env: {}, overrides: { 'policies.shutdown_token': 's3cret' } });
    const summary = describeConfig(cfg);
    const json = JSON.stringify(summary);
    assert.ok(!json.includes('s3cret'));
    assert.equal(summary.policies['shutdown_token'], '<redacted>');
    assert.equal(summary.policies['epoch_gc_min_age_ns'], '3000000000');
    assert.equal(summary.driver['stream_id_range'], '20000-29999');
    assert.equal(summary.shm['permissions_mode'], '660');
  });

  test('formatConfig renders TOML that loads back to the same config (no token set)', () => {
    const cfg = loadConfig({ env: { USER: 'bob' }, overrides: { 'shm.permissions_mode': '0640' } });
    const text = formatConfig(cfg);
    assert.deepEqual(loadConfig({ toml: text, env: {} }), cfg);
    assert.notEqual(text, DEFAULT_CONFIG_TOML);
  });
});
