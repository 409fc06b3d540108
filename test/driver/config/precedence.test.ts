import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/driver/config/index.js';
import { MINIMAL_TOML, expectConfigError } from './expect-config-error.js';

const TOML_WITH_VALUES = `${MINIMAL_TOML}
[driver]
control_stream_id = 1004
stream_id_range   = "40000-40999"
`;

describe('CONFIG.md §1 precedence: override > env > legacy alias > TOML > default', () => {
  test('scalar: built-in default when nobody sets it (control_stream_id = 1000)', () => {
    assert.equal(loadConfig({ toml: MINIMAL_TOML, env: {} }).driver.controlStreamId, 1000);
  });

  test('scalar: "an env var overrides the TOML value when both exist" (MUST), and TOML beats the default', () => {
    assert.equal(loadConfig({ toml: TOML_WITH_VALUES, env: {} }).driver.controlStreamId, 1004);
    assert.equal(loadConfig({ toml: TOML_WITH_VALUES, env: { DRIVER_CONTROL_STREAM_ID: '1003' } }).driver.controlStreamId, 1003);
  });

  test('scalar: legacy alias TP_CONTROL_STREAM_ID beats TOML, loses to DRIVER_CONTROL_STREAM_ID', () => {
    assert.equal(loadConfig({ toml: TOML_WITH_VALUES, env: { TP_CONTROL_STREAM_ID: '1002' } }).driver.controlStreamId, 1002);
    assert.equal(
      loadConfig({ toml: TOML_WITH_VALUES, env: { TP_CONTROL_STREAM_ID: '1002', DRIVER_CONTROL_STREAM_ID: '1003' } }).driver
        .controlStreamId,
      1003,
    );
  });

  test('scalar: a programmatic override (dotted key) beats every env var', () => {
    const env = { TP_CONTROL_STREAM_ID: '1002', DRIVER_CONTROL_STREAM_ID: '1003' };
    const typed = loadConfig({ toml: TOML_WITH_VALUES, env, overrides: { 'driver.control_stream_id': 1001 } });
    assert.equal(typed.driver.controlStreamId, 1001);
    // A string override is parsed like an env var (the RI injects overrides in env form).
    const text = loadConfig({ toml: TOML_WITH_VALUES, env, overrides: { 'driver.control_stream_id': '1001' } });
    assert.equal(text.driver.controlStreamId, 1001);
  });

  test('legacy alias TP_CONTROL_CHANNEL sets the control channel when DRIVER_CONTROL_CHANNEL is absent', () => {
    const cfg = loadConfig({ toml: MINIMAL_TOML, env: { TP_CONTROL_CHANNEL: 'unix:/run/legacy.sock' } });
    assert.equal(cfg.driver.controlChannel, 'unix:/run/legacy.sock');
    const both = loadConfig({
      toml: MINIMAL_TOML,
      env: { TP_CONTROL_CHANNEL: 'unix:/run/legacy.sock', DRIVER_CONTROL_CHANNEL: 'unix:/run/new.sock' },
    });
    assert.equal(both.driver.controlChannel, 'unix:/run/new.sock');
  });

  test('range: default (disabled) < TOML < env < override', () => {
    assert.equal(loadConfig({ toml: MINIMAL_TOML, env: {} }).driver.streamIdRange, null);
    assert.deepEqual(loadConfig({ toml: TOML_WITH_VALUES, env: {} }).driver.streamIdRange, { start: 40000, end: 40999 });
    const env = { DRIVER_STREAM_ID_RANGE: '41000,41999' };
    assert.deepEqual(loadConfig({ toml: TOML_WITH_VALUES, env }).driver.streamIdRange, { start: 41000, end: 41999 });
    const over = loadConfig({ toml: TOML_WITH_VALUES, env, overrides: { 'driver.stream_id_range': [42000, 42999] } });
    assert.deepEqual(over.driver.streamIdRange, { start: 42000, end: 42999 });
  });

  test('range: an empty env var disables a range the TOML set', () => {
    assert.equal(loadConfig({ toml: TOML_WITH_VALUES, env: { DRIVER_STREAM_ID_RANGE: '' } }).driver.streamIdRange, null);
  });

  test('shm.allowed_base_dirs is TOML-only: SHM_ALLOWED_BASE_DIRS is ignored, an override may set it', () => {
    const env = { SHM_ALLOWED_BASE_DIRS: '/nope' };
    assert.deepEqual(loadConfig({ toml: MINIMAL_TOML, env }).shm.allowedBaseDirs, ['/dev/shm/tensorpool']);
    const cfg = loadConfig({ toml: MINIMAL_TOML, env, overrides: { 'shm.allowed_base_dirs': ['/dev/shm'] } });
    assert.deepEqual(cfg.shm.allowedBaseDirs, ['/dev/shm']);
  });

  test('overrides: unknown dotted keys and profiles/streams keys are rejected, naming the key', () => {
    expectConfigError(() => loadConfig({ toml: MINIMAL_TOML, env: {}, overrides: { 'driver.control_stream': 5 } }), {
      key: 'driver.control_stream',
      rule: 'unknown key',
      got: '5 from override "driver.control_stream"',
    });
    expectConfigError(
      () => loadConfig({ toml: MINIMAL_TOML, env: {}, overrides: { 'profiles.p.header_nslots': 16 } }),
      { key: 'profiles.p.header_nslots', rule: 'TOML-only' },
    );
  });
});

describe('CONFIG.md §1 derived defaults use resolved values', () => {
  test('announce channel/stream and QoS channel follow the env-resolved control channel/stream', () => {
    const cfg = loadConfig({
      toml: MINIMAL_TOML,
      env: { DRIVER_CONTROL_CHANNEL: 'unix:/run/tp.sock', DRIVER_CONTROL_STREAM_ID: '1500' },
    });
    assert.equal(cfg.driver.announceChannel, 'unix:/run/tp.sock');
    assert.equal(cfg.driver.announceStreamId, 1500);
    assert.equal(cfg.driver.qosChannel, 'unix:/run/tp.sock');
    assert.equal(cfg.driver.qosStreamId, 1200, 'qos_stream_id keeps its own default');
  });

  test('an explicit announce stream id is kept even when the control stream id changes', () => {
    const toml = `${MINIMAL_TOML}\n[driver]\nannounce_stream_id = 1001\n`;
    const cfg = loadConfig({ toml, env: {}, overrides: { 'driver.control_stream_id': 900 } });
    assert.equal(cfg.driver.announceStreamId, 1001);
    assert.equal(cfg.driver.controlStreamId, 900);
  });

  test('epoch_gc_min_age_ns = 3 × the override-resolved announce period in ns; explicit 0 also derives (RI)', () => {
    const cfg = loadConfig({ toml: MINIMAL_TOML, env: {}, overrides: { 'policies.announce_period_ms': 250 } });
    assert.equal(cfg.policies.epochGcMinAgeNs, 750_000_000n);
    const zero = loadConfig({ toml: MINIMAL_TOML, env: { POLICIES_EPOCH_GC_MIN_AGE_NS: '0' } });
    assert.equal(zero.policies.epochGcMinAgeNs, 3_000_000_000n);
    const big = loadConfig({ toml: MINIMAL_TOML, env: { POLICIES_EPOCH_GC_MIN_AGE_NS: '18446744073709551615' } });
    assert.equal(big.policies.epochGcMinAgeNs, 18446744073709551615n);
  });

  test('the default control channel is unix:<namespaceDir(base_dir, user, namespace)>/control.sock of resolved values', () => {
    const cfg = loadConfig({
      toml: MINIMAL_TOML,
      env: { USER: 'al ice', SHM_BASE_DIR: '/dev/shm/x', SHM_NAMESPACE: 'lab1' },
      overrides: { 'shm.allowed_base_dirs': ['/dev/shm'] },
    });
    assert.equal(cfg.driver.controlChannel, 'unix:/dev/shm/x/tensorpool-al_ice/lab1/control.sock');
  });
});
