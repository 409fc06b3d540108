import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/driver/config/index.js';
import { expectConfigError } from './expect-config-error.js';

/** CONFIG.md §9 verbatim. */
const EXAMPLE = `# Two cameras on static ids, one processing stream created on demand.

[driver]
instance_id        = "edge-node-a"
control_channel    = "aeron:ipc?term-length=4m"
control_stream_id  = 1000
announce_channel   = "aeron:ipc?term-length=4m"
announce_stream_id = 1001
qos_channel        = "aeron:ipc?term-length=4m"
qos_stream_id      = 1200
stream_id_range            = "20000-20999"
descriptor_stream_id_range = [31000, 31099]
control_stream_id_range    = "32000,32099"

[shm]
base_dir          = "/dev/shm"
namespace         = "lab1"
require_hugepages = false
permissions_mode  = "660"
allowed_base_dirs = ["/dev/shm"]

[policies]
allow_dynamic_streams        = true
default_profile              = "small"
announce_period_ms           = 500
lease_keepalive_interval_ms  = 250
lease_expiry_grace_intervals = 4        # lease dies 1 s after the last keepalive (+ ≤250 ms scan)
prefault_shm                 = true
epoch_gc_enabled             = true
epoch_gc_keep                = 2
# epoch_gc_min_age_ns omitted → 3 × announce period = 1_500_000_000 ns
shutdown_timeout_ms          = 1500
shutdown_token               = "change-me"

[profiles.vision]
header_nslots = 256
payload_pools = [
  { pool_id = 1, stride_bytes = 262144 },    # 256 KiB
  { pool_id = 2, stride_bytes = 4194304 },   # 4 MiB
]

[profiles.small]
header_nslots = 64

[[profiles.small.payload_pools]]
pool_id      = 1
stride_bytes = 4096

[streams.cam_left]
stream_id = 10000
profile   = "vision"

[streams.cam_right]
stream_id = 10001
profile   = "vision"
`;

/** The same example with tensorpool's Unix-socket channels in place of the Aeron ones. */
const UNIX_EXAMPLE = EXAMPLE.replace(/^control_channel .*$/m, 'control_channel    = "unix:/run/tp/control.sock"')
  .replace(/^announce_channel .*$/m, 'announce_channel   = "unix:/run/tp/announce.sock"')
  .replace(/^qos_channel .*$/m, 'qos_channel        = "unix:/run/tp/qos.sock"');

describe('CONFIG.md §9 example', () => {
  test('verbatim, it is rejected: aeron: channels have no meaning for a Unix-socket control plane', () => {
    expectConfigError(() => loadConfig({ toml: EXAMPLE, env: {} }), {
      key: 'driver.control_channel',
      rule: "tensorpool's control plane is a Unix stream socket",
      got: '"aeron:ipc?term-length=4m" from TOML text',
    });
  });

  test('with unix: channels it parses to the values the example states', () => {
    const cfg = loadConfig({ toml: UNIX_EXAMPLE, env: {} });
    assert.deepEqual(cfg.driver, {
      instanceId: 'edge-node-a',
      controlChannel: 'unix:/run/tp/control.sock',
      controlStreamId: 1000,
      announceChannel: 'unix:/run/tp/announce.sock',
      announceStreamId: 1001,
      qosChannel: 'unix:/run/tp/qos.sock',
      qosStreamId: 1200,
      streamIdRange: { start: 20000, end: 20999 },
      descriptorStreamIdRange: { start: 31000, end: 31099 },
      controlStreamIdRange: { start: 32000, end: 32099 },
    });
    assert.deepEqual(cfg.shm, {
      baseDir: '/dev/shm',
      namespace: 'lab1',
      requireHugepages: false,
      pageSizeBytes: 4096,
      permissionsMode: 0o660,
      allowedBaseDirs: ['/dev/shm'],
    });
    assert.deepEqual(cfg.policies, {
      allowDynamicStreams: true,
      defaultProfile: 'small',
      announcePeriodMs: 500,
      leaseKeepaliveIntervalMs: 250,
      leaseExpiryGraceIntervals: 4,
      prefaultShm: true,
      reuseExistingShm: false,
      mlockShm: false,
      cleanupShmOnExit: false,
      epochGcEnabled: true,
      epochGcKeep: 2,
      // "epoch_gc_min_age_ns omitted → 3 × announce period = 1_500_000_000 ns"
      epochGcMinAgeNs: 1_500_000_000n,
      epochGcOnStartup: false,
      shutdownTimeoutMs: 1500,
      shutdownToken: 'change-me',
      revokeOnDisconnect: true,
    });
    assert.deepEqual([...cfg.profiles.keys()], ['vision', 'small'], 'profiles keep declaration order');
    assert.deepEqual(cfg.profiles.get('vision'), {
      name: 'vision',
      headerNslots: 256,
      headerSlotBytes: 256,
      payloadPools: [
        { poolId: 1, strideBytes: 262144 },
        { poolId: 2, strideBytes: 4194304 },
      ],
    });
    assert.deepEqual(cfg.profiles.get('small'), {
      name: 'small',
      headerNslots: 64,
      headerSlotBytes: 256,
      payloadPools: [{ poolId: 1, strideBytes: 4096 }],
    });
    assert.deepEqual(cfg.streams, [
      { name: 'cam_left', streamId: 10000, profile: 'vision' },
      { name: 'cam_right', streamId: 10001, profile: 'vision' },
    ]);
  });

  test('"POLICIES_ANNOUNCE_PERIOD_MS=1000 DRIVER_STREAM_ID_RANGE=21000-21999 SHM_NAMESPACE=prod" overrides the file', () => {
    const cfg = loadConfig({
      toml: UNIX_EXAMPLE,
      env: { POLICIES_ANNOUNCE_PERIOD_MS: '1000', DRIVER_STREAM_ID_RANGE: '21000-21999', SHM_NAMESPACE: 'prod' },
    });
    assert.equal(cfg.policies.announcePeriodMs, 1000);
    assert.deepEqual(cfg.driver.streamIdRange, { start: 21000, end: 21999 });
    assert.equal(cfg.shm.namespace, 'prod');
    // §1: epoch_gc_min_age_ns derives from the *resolved* announce period.
    assert.equal(cfg.policies.epochGcMinAgeNs, 3_000_000_000n);
  });
});
