/**
 * Defaults. Two layers (CONFIG.md §1 level 5): per-key defaults from CONFIG.md §2–§5, applied to
 * any key nobody set; and the built-in default document, used as the TOML layer when neither a
 * file nor TOML text is given, so a driver runs with no file at all.
 */

/** The built-in document: one profile, one static stream, a dynamic stream range. */
export const DEFAULT_CONFIG_TOML = `# tensorpool built-in default configuration (used when no file is given).
[driver]
instance_id     = "driver-01"
stream_id_range = "20000-29999"

[policies]
allow_dynamic_streams = true
default_profile       = "default"

[profiles.default]
header_nslots = 64
payload_pools = [
  { pool_id = 1, stride_bytes = 4096 },      # 4 KiB
  { pool_id = 2, stride_bytes = 1048576 },   # 1 MiB: 64 MiB per epoch
]

[streams.default]
stream_id = 10000
profile   = "default"
`;

/** Per-key defaults (CONFIG.md "Default (spec)" column). Derived defaults live in load-config.ts. */
export const KEY_DEFAULTS = {
  'driver.instance_id': 'driver-01',
  'driver.control_stream_id': 1000,
  'driver.qos_stream_id': 1200,
  'shm.base_dir': '/dev/shm/tensorpool',
  'shm.namespace': 'default',
  'shm.require_hugepages': false,
  'shm.page_size_bytes': 4096,
  'shm.permissions_mode': '660',
  'policies.allow_dynamic_streams': false,
  'policies.default_profile': '',
  'policies.announce_period_ms': 1000,
  'policies.lease_keepalive_interval_ms': 1000,
  'policies.lease_expiry_grace_intervals': 3,
  'policies.prefault_shm': true,
  'policies.reuse_existing_shm': false,
  'policies.mlock_shm': false,
  'policies.cleanup_shm_on_exit': false,
  'policies.epoch_gc_enabled': true,
  'policies.epoch_gc_keep': 2,
  'policies.epoch_gc_on_startup': false,
  'policies.shutdown_timeout_ms': 2000,
  'policies.shutdown_token': '',
  'policies.revoke_on_disconnect': true,
  'profiles.*.header_nslots': 1024,
  'profiles.*.header_slot_bytes': 256,
} as const;

/** The socket file inside the namespace directory for the default control channel. */
export const CONTROL_SOCKET_NAME = 'control.sock';
