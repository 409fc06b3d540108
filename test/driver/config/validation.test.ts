import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/driver/config/index.js';
import { MINIMAL_TOML, expectConfigError } from './expect-config-error.js';

const PROFILE = `
[profiles.p]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 64 }]
`;
const loadToml = (toml: string, env: NodeJS.ProcessEnv = {}) => loadConfig({ toml, env });

describe('CONFIG.md §7 startup validation (fail fast)', () => {
  test('V1: at least one profile defined', () => {
    expectConfigError(() => loadToml('[streams.s]\nstream_id = 1\nprofile = "p"\n'), { key: 'streams.s.profile', rule: '(V11)' });
    expectConfigError(() => loadToml('[policies]\nallow_dynamic_streams = true\n[driver]\nstream_id_range = "1-2"\n'), {
      key: 'profiles',
      rule: '(V1)',
    });
  });

  test('V2: allow_dynamic_streams=false ⇒ at least one stream defined', () => {
    expectConfigError(() => loadToml(PROFILE), {
      key: 'policies.allow_dynamic_streams',
      rule: '(V2)',
      got: 'false from the default',
    });
  });

  test('V3: header_nslots power of two (0 invalid) and ≤ 2^31', () => {
    for (const n of ['0', '100', '4294967295']) {
      expectConfigError(() => loadToml(MINIMAL_TOML.replace('header_nslots = 8', `header_nslots = ${n}`)), {
        key: 'profiles.p.header_nslots',
        rule: '(V3)',
        got: `${n} from TOML text`,
      });
    }
    const max = loadToml(MINIMAL_TOML.replace('header_nslots = 8', 'header_nslots = 2147483648'));
    assert.equal(max.profiles.get('p')?.headerNslots, 2 ** 31);
    const dflt = loadToml(MINIMAL_TOML.replace('header_nslots = 8', ''));
    assert.equal(dflt.profiles.get('p')?.headerNslots, 1024, 'CONFIG.md §5 default 1024');
  });

  test('V4: header_slot_bytes must be 256', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('header_nslots = 8', 'header_slot_bytes = 128')), {
      key: 'profiles.p.header_slot_bytes',
      rule: 'must be 256 (V4)',
      got: '128 from TOML text',
    });
  });

  test('V5: every profile has ≥ 1 payload pool', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML.replace(/payload_pools = .*/, 'payload_pools = []')), {
      key: 'profiles.p.payload_pools',
      rule: '(V5)',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace(/payload_pools = .*/, '')), {
      key: 'profiles.p.payload_pools',
      rule: 'is required',
    });
  });

  test('V6: stride power of two, multiple of 64, ≤ 2^31', () => {
    for (const s of ['32', '96', '0', '4294967296']) {
      expectConfigError(() => loadToml(MINIMAL_TOML.replace('stride_bytes = 64', `stride_bytes = ${s}`)), {
        key: 'profiles.p.payload_pools[0].stride_bytes',
      });
    }
  });

  test('V8: ranges mutually disjoint', () => {
    expectConfigError(
      () => loadToml(MINIMAL_TOML, { DRIVER_STREAM_ID_RANGE: '20000-20999', DRIVER_CONTROL_STREAM_ID_RANGE: '20999-21999' }),
      { key: 'driver.control_stream_id_range', rule: 'overlaps driver.stream_id_range 20000-20999 (V8)', got: '"20999-21999" from env DRIVER_CONTROL_STREAM_ID_RANGE' },
    );
  });

  test('V9: no range contains the control, announce or QoS stream id, or a static stream id', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_STREAM_ID_RANGE: '1000-1000' }), {
      key: 'driver.stream_id_range',
      rule: 'contains driver.control_stream_id 1000 (V9)',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_ANNOUNCE_STREAM_ID: '5000', DRIVER_DESCRIPTOR_STREAM_ID_RANGE: '4000-6000' }), {
      key: 'driver.descriptor_stream_id_range',
      rule: 'contains driver.announce_stream_id 5000 (V9)',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_CONTROL_STREAM_ID_RANGE: '1100-1300' }), {
      key: 'driver.control_stream_id_range',
      rule: 'contains driver.qos_stream_id 1200 (V9)',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_STREAM_ID_RANGE: '9000-10000' }), {
      key: 'driver.stream_id_range',
      rule: 'contains streams.s.stream_id 10000 (V9)',
      got: '"9000-10000" from env DRIVER_STREAM_ID_RANGE',
    });
  });

  test('V9: a static stream id may not equal the control, announce or QoS stream id', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_QOS_STREAM_ID: '10000' }), {
      key: 'streams.s.stream_id',
      rule: 'equals driver.qos_stream_id (V9)',
      got: '10000 from TOML text',
    });
  });

  test('V11: pool_id unique per profile; stream ids unique; stream profile exists; default_profile exists', () => {
    const dupPool = MINIMAL_TOML.replace(
      /payload_pools = .*/,
      'payload_pools = [{ pool_id = 3, stride_bytes = 64 }, { pool_id = 3, stride_bytes = 128 }]',
    );
    expectConfigError(() => loadToml(dupPool), { key: 'profiles.p.payload_pools[1].pool_id', rule: '(V11)', got: '3 from TOML text' });
    const dupStream = `${MINIMAL_TOML}\n[streams.t]\nstream_id = 10000\nprofile = "p"\n`;
    expectConfigError(() => loadToml(dupStream), { key: 'streams.t.stream_id', rule: 'duplicates streams.s.stream_id (V11)' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('profile   = "p"', 'profile = "q"')), {
      key: 'streams.s.profile',
      rule: '(V11)',
      got: '"q" from TOML text',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML, { POLICIES_DEFAULT_PROFILE: 'nope' }), {
      key: 'policies.default_profile',
      rule: 'names no defined profile (V11)',
      got: '"nope" from env POLICIES_DEFAULT_PROFILE',
    });
  });

  test('V11: pool_id is u16', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('pool_id = 1', 'pool_id = 65536')), {
      key: 'profiles.p.payload_pools[0].pool_id',
      rule: 'must be an integer in 0..65535',
    });
  });

  test('default_profile empty → the first profile in declaration order (RI: arbitrary)', () => {
    const toml = `[profiles.zeta]\npayload_pools = [{ pool_id = 1, stride_bytes = 64 }]\n[profiles.alpha]\npayload_pools = [{ pool_id = 1, stride_bytes = 64 }]\n`;
    const cfg = loadToml(toml, { POLICIES_ALLOW_DYNAMIC_STREAMS: 'true', DRIVER_STREAM_ID_RANGE: '20000-20999' });
    assert.equal(cfg.policies.defaultProfile, 'zeta');
    // JS objects put array-index keys first, so numeric names cannot keep declaration order.
    const numeric = `[profiles.b]\npayload_pools = [{ pool_id = 1, stride_bytes = 64 }]\n[profiles.7]\npayload_pools = [{ pool_id = 1, stride_bytes = 64 }]\n`;
    expectConfigError(() => loadToml(numeric, { POLICIES_ALLOW_DYNAMIC_STREAMS: 'true', DRIVER_STREAM_ID_RANGE: '20000-20999' }), {
      key: 'policies.default_profile',
      rule: 'must be set explicitly',
    });
  });

  test('V12 (fail fast chosen): allow_dynamic_streams=true with no stream_id_range', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { POLICIES_ALLOW_DYNAMIC_STREAMS: 'yes' }), {
      key: 'driver.stream_id_range',
      rule: '(V12)',
      got: 'null from the default',
    });
  });

  test('V13: driver.instance_id non-empty', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_INSTANCE_ID: '' }), {
      key: 'driver.instance_id',
      rule: '(V13)',
      got: '"" from env DRIVER_INSTANCE_ID',
    });
  });

  test('V14: missing stream_id/profile in a stream, pool_id/stride_bytes in a pool; non-numeric numeric fields', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('stream_id = 10000', '')), { key: 'streams.s.stream_id', rule: 'is required (V14)' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('profile   = "p"', '')), { key: 'streams.s.profile', rule: 'is required (V14)' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('pool_id = 1, ', '')), { key: 'profiles.p.payload_pools[0].pool_id' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace(', stride_bytes = 64', '')), { key: 'profiles.p.payload_pools[0].stride_bytes' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('stream_id = 10000', 'stream_id = "10000"')), {
      key: 'streams.s.stream_id',
      got: '"10000" from TOML text',
    });
  });

  test('V15: shm.base_dir inside shm.allowed_base_dirs after path.resolve; the dirs need not exist', () => {
    const allowed = '[shm]\nallowed_base_dirs = ["/dev/shm/a/"]\n';
    const ok = loadToml(`${MINIMAL_TOML}\n${allowed}base_dir = "/dev/shm/a/../a/b"\n`);
    assert.equal(ok.shm.baseDir, '/dev/shm/a/b');
    assert.deepEqual(ok.shm.allowedBaseDirs, ['/dev/shm/a']);
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n${allowed}base_dir = "/dev/shm/a/../ab"\n`), {
      key: 'shm.base_dir',
      rule: 'is not inside shm.allowed_base_dirs ["/dev/shm/a"] (V15)',
      got: '"/dev/shm/a/../ab" from TOML text',
    });
    // base_dir is not added to a given list (CONFIG.md §3), and an env base_dir is checked too.
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n${allowed}`, { SHM_BASE_DIR: '/tmp/x' }), {
      key: 'shm.base_dir',
      got: '"/tmp/x" from env SHM_BASE_DIR',
    });
    assert.deepEqual(loadToml(MINIMAL_TOML, { SHM_BASE_DIR: '/nonexistent/x' }).shm.allowedBaseDirs, ['/nonexistent/x']);
  });

  test('shm.base_dir and allowed_base_dirs must be absolute', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { SHM_BASE_DIR: 'rel/dir' }), { key: 'shm.base_dir', rule: 'absolute' });
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[shm]\nallowed_base_dirs = ["rel"]\n`), { key: 'shm.allowed_base_dirs' });
  });

  test('shm.namespace is checked with checkNamespace (SHM_LAYOUT §9), never rewritten', () => {
    for (const ns of ['..', 'a/b', '', 'x'.repeat(65)]) {
      expectConfigError(() => loadToml(MINIMAL_TOML, { SHM_NAMESPACE: ns }), { key: 'shm.namespace', got: `${JSON.stringify(ns)} from env SHM_NAMESPACE` });
    }
  });

  test('shm.page_size_bytes is a power of two', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { SHM_PAGE_SIZE_BYTES: '0' }), { key: 'shm.page_size_bytes' });
    expectConfigError(() => loadToml(MINIMAL_TOML, { SHM_PAGE_SIZE_BYTES: '5000' }), { key: 'shm.page_size_bytes' });
  });
});

describe('CONFIG.md §8: zero intervals', () => {
  for (const key of ['announce_period_ms', 'lease_keepalive_interval_ms', 'lease_expiry_grace_intervals', 'epoch_gc_keep'] as const) {
    const env = `POLICIES_${key.toUpperCase()}`;
    test(`policies.${key} = 0 is rejected at startup ("a conforming driver should reject 0")`, () => {
      expectConfigError(() => loadToml(MINIMAL_TOML, { [env]: '0' }), {
        key: `policies.${key}`,
        rule: 'must be a positive integer',
        got: `"0" from env ${env}`,
      });
    });
  }
  test('policies.shutdown_timeout_ms = 0 is allowed and means "shut down at once" (RI: never)', () => {
    assert.equal(loadToml(MINIMAL_TOML, { POLICIES_SHUTDOWN_TIMEOUT_MS: '0' }).policies.shutdownTimeoutMs, 0);
  });
});

describe('unknown keys are startup errors (typos are never ignored)', () => {
  test('in [policies], naming the key and listing what the table accepts', () => {
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[policies]\nallow_dynamic_stream = true\n`), {
      key: 'policies.allow_dynamic_stream',
      rule: 'unknown key; [policies] accepts allow_dynamic_streams',
      got: 'true from TOML text',
    });
  });
  test('at top level, in a profile, a pool and a stream', () => {
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[polices]\nx = 1\n`), { key: 'polices', rule: 'unknown key' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('header_nslots', 'header_n_slots')), { key: 'profiles.p.header_n_slots' });
    expectConfigError(() => loadToml(MINIMAL_TOML.replace('stride_bytes', 'stride')), { key: 'profiles.p.payload_pools[0].stride' });
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[streams.s2]\nstream_id = 10001\nprofile = "p"\nprofle = "p"\n`), {
      key: 'streams.s2.profle',
    });
  });
  test('in [driver] and [shm]', () => {
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[driver]\ncontrol_chanel = "unix:/x"\n`), { key: 'driver.control_chanel' });
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[shm]\nbasedir = "/x"\n`), { key: 'shm.basedir' });
  });
  test('a __proto__ key is refused by the parser', () => {
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[driver]\n__proto__ = 1\n`), { key: null, rule: 'invalid TOML' });
  });
});

describe('Aeron settings are rejected with a clear message (tensorpool control plane is a Unix socket)', () => {
  test('aeron: channels in TOML, env and overrides', () => {
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_ANNOUNCE_CHANNEL: 'aeron:udp?endpoint=x:1' }), {
      key: 'driver.announce_channel',
      rule: "tensorpool's control plane is a Unix stream socket",
    });
    expectConfigError(() => loadConfig({ toml: MINIMAL_TOML, env: {}, overrides: { 'driver.qos_channel': 'aeron:ipc' } }), {
      key: 'driver.qos_channel',
      got: '"aeron:ipc" from override "driver.qos_channel"',
    });
  });
  test('driver.aeron_dir in TOML, DRIVER_AERON_DIR, AERON_DIR and overrides', () => {
    expectConfigError(() => loadToml(`${MINIMAL_TOML}\n[driver]\naeron_dir = "/dev/shm/aeron"\n`), {
      key: 'driver.aeron_dir',
      rule: 'not Aeron',
      got: '"/dev/shm/aeron" from TOML text',
    });
    expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_AERON_DIR: '/a' }), { key: 'driver.aeron_dir', got: '"/a" from env DRIVER_AERON_DIR' });
    expectConfigError(() => loadToml(MINIMAL_TOML, { AERON_DIR: '/a' }), {
      key: 'driver.aeron_dir',
      rule: 'unset AERON_DIR',
      got: '"/a" from env AERON_DIR (legacy alias of DRIVER_AERON_DIR)',
    });
    expectConfigError(() => loadConfig({ toml: MINIMAL_TOML, env: {}, overrides: { 'driver.aeron_dir': '/a' } }), {
      key: 'driver.aeron_dir',
    });
    // An empty variable sets nothing.
    assert.ok(loadToml(MINIMAL_TOML, { AERON_DIR: '' }));
  });
  test('channels must be unix:<absolute path> within the socket path limit', () => {
    for (const ch of ['unix:relative.sock', '/abs.sock', `unix:/${'x'.repeat(107)}`]) {
      expectConfigError(() => loadToml(MINIMAL_TOML, { DRIVER_CONTROL_CHANNEL: ch }), { key: 'driver.control_channel' });
    }
  });
});

describe('document-level errors', () => {
  test('TOML syntax errors give the line and column', () => {
    expectConfigError(() => loadToml('[driver\n'), { key: null, rule: 'invalid TOML in TOML text at line 1' });
  });
  test('an unreadable file and file + toml together are errors', () => {
    expectConfigError(() => loadConfig({ file: '/nonexistent/tp.toml', env: {} }), { key: null, rule: 'cannot read TOML file /nonexistent/tp.toml' });
    expectConfigError(() => loadConfig({ file: '/x', toml: '', env: {} }), { key: null, rule: 'either file or toml' });
  });
  test('a section that is not a table', () => {
    expectConfigError(() => loadToml('driver = 1\n'), { key: 'driver', rule: 'must be a table' });
    expectConfigError(() => loadToml('profiles = 1\n'), { key: 'profiles', rule: 'must be a table' });
  });
});
