import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig, parseRange } from '../../../src/driver/config/index.js';
import { MINIMAL_TOML, expectConfigError } from './expect-config-error.js';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ toml: MINIMAL_TOML, env });

describe('env booleans: true/false/1/0/yes/no case-insensitively, anything else rejected (deviation: RI maps it to false)', () => {
  for (const [text, value] of [
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['Yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
  ] as const) {
    test(`POLICIES_PREFAULT_SHM=${text} → ${value}`, () => {
      assert.equal(load({ POLICIES_PREFAULT_SHM: text }).policies.prefaultShm, value);
    });
  }
  for (const text of ['on', 'off', '', ' true', 'y', '2']) {
    test(`POLICIES_PREFAULT_SHM=${JSON.stringify(text)} is a startup error, not a silent false`, () => {
      expectConfigError(() => load({ POLICIES_PREFAULT_SHM: text }), {
        key: 'policies.prefault_shm',
        rule: 'must be a boolean',
        got: `${JSON.stringify(text)} from env POLICIES_PREFAULT_SHM`,
      });
    });
  }
  test('policies.revoke_on_disconnect (tensorpool extension) defaults to true, env POLICIES_REVOKE_ON_DISCONNECT', () => {
    assert.equal(load({}).policies.revokeOnDisconnect, true);
    assert.equal(load({ POLICIES_REVOKE_ON_DISCONNECT: 'no' }).policies.revokeOnDisconnect, false);
  });
  test('a TOML string is not a boolean', () => {
    expectConfigError(() => loadConfig({ toml: `${MINIMAL_TOML}\n[policies]\nmlock_shm = "true"\n`, env: {} }), {
      key: 'policies.mlock_shm',
      rule: 'must be a boolean',
      got: '"true" from TOML text',
    });
  });
});

describe('env integers: decimal, strictly validated (V14 non-numeric numeric fields are load errors)', () => {
  for (const text of ['12abc', '-1', '+5', '1e3', '0x10', ' 12', '', '4294967296']) {
    test(`DRIVER_QOS_STREAM_ID=${JSON.stringify(text)} is rejected (u32)`, () => {
      expectConfigError(() => load({ DRIVER_QOS_STREAM_ID: text }), {
        key: 'driver.qos_stream_id',
        rule: 'must be an integer in 0..4294967295',
        got: `${JSON.stringify(text)} from env DRIVER_QOS_STREAM_ID`,
      });
    });
  }
  test('u32 max 4294967295 is accepted', () => {
    assert.equal(load({ DRIVER_QOS_STREAM_ID: '4294967295' }).driver.qosStreamId, 4294967295);
  });
  test('a TOML float is not an integer', () => {
    expectConfigError(() => loadConfig({ toml: `${MINIMAL_TOML}\n[policies]\nannounce_period_ms = 1000.0\n`, env: {} }), {
      key: 'policies.announce_period_ms',
      rule: 'must be a positive integer',
      got: '1000 from TOML text',
    });
  });
  test('u64 epoch_gc_min_age_ns above 2^64-1 is rejected', () => {
    expectConfigError(() => load({ POLICIES_EPOCH_GC_MIN_AGE_NS: '18446744073709551616' }), {
      key: 'policies.epoch_gc_min_age_ns',
      got: '"18446744073709551616" from env POLICIES_EPOCH_GC_MIN_AGE_NS',
    });
  });
  test('permissions_mode: 3-4 octal digits as a string; a TOML integer is rejected (it would read as decimal)', () => {
    assert.equal(load({ SHM_PERMISSIONS_MODE: '0640' }).shm.permissionsMode, 0o640);
    expectConfigError(() => load({ SHM_PERMISSIONS_MODE: '680' }), { key: 'shm.permissions_mode', got: '"680" from env SHM_PERMISSIONS_MODE' });
    expectConfigError(() => load({ SHM_PERMISSIONS_MODE: '66' }), { key: 'shm.permissions_mode' });
    expectConfigError(() => loadConfig({ toml: `${MINIMAL_TOML}\n[shm]\npermissions_mode = 660\n`, env: {} }), {
      key: 'shm.permissions_mode',
      rule: 'would be read as decimal',
    });
  });
});

describe('CONFIG.md §2 ranges: "start-end", "start,end" (whitespace trimmed), [start, end]', () => {
  test('all three syntaxes from TOML', () => {
    const toml = `${MINIMAL_TOML}
[driver]
stream_id_range            = " 20000 - 20999 "
descriptor_stream_id_range = [31000, 31099]
control_stream_id_range    = "32000 , 32099"
`;
    const { driver } = loadConfig({ toml, env: {} });
    assert.deepEqual(driver.streamIdRange, { start: 20000, end: 20999 });
    assert.deepEqual(driver.descriptorStreamIdRange, { start: 31000, end: 31099 });
    assert.deepEqual(driver.controlStreamIdRange, { start: 32000, end: 32099 });
  });

  test('both string syntaxes from env; a single-id range start = end is allowed', () => {
    const { driver } = load({ DRIVER_STREAM_ID_RANGE: '20000-20999', DRIVER_DESCRIPTOR_STREAM_ID_RANGE: '31000,31000' });
    assert.deepEqual(driver.streamIdRange, { start: 20000, end: 20999 });
    assert.deepEqual(driver.descriptorStreamIdRange, { start: 31000, end: 31000 });
  });

  test('parseRange: empty string disables; JS null disables an override', () => {
    assert.equal(parseRange('', 'text'), null);
    assert.equal(parseRange('   ', 'toml'), null);
    assert.equal(parseRange(null, 'js'), null);
  });

  for (const bad of ['20000', '1-2-3', 'a-b', '-5-10', '1,', '0-4294967296']) {
    test(`V10 malformed range ${JSON.stringify(bad)} is a startup error (deviation: RI silently disables "20000")`, () => {
      expectConfigError(() => load({ DRIVER_STREAM_ID_RANGE: bad }), {
        key: 'driver.stream_id_range',
        rule: '(V10)',
        got: `${JSON.stringify(bad)} from env DRIVER_STREAM_ID_RANGE`,
      });
    });
  }

  test('V10: TOML array of length ≠ 2, or of non-integers, is a startup error', () => {
    for (const bad of ['[1, 2, 3]', '[1]', '["1", "2"]', '[1.0, 2.0]', '7']) {
      expectConfigError(
        () => loadConfig({ toml: `${MINIMAL_TOML}\n[driver]\ncontrol_stream_id_range = ${bad}\n`, env: {} }),
        { key: 'driver.control_stream_id_range', rule: '(V10)' },
      );
    }
  });

  test('V7: start ≤ end', () => {
    expectConfigError(() => load({ DRIVER_STREAM_ID_RANGE: '20999-20000' }), {
      key: 'driver.stream_id_range',
      rule: 'start must be ≤ end (V7)',
      got: '"20999-20000" from env DRIVER_STREAM_ID_RANGE',
    });
  });
});
