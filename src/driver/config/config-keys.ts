/**
 * The configuration surface: every key each table accepts (CONFIG.md §2–§6 plus tensorpool's
 * `policies.revoke_on_disconnect`). Anything else in a table is a startup error, so a typo is
 * never silently ignored.
 */

export const DRIVER_KEYS = [
  'instance_id',
  'control_channel',
  'control_stream_id',
  'announce_channel',
  'announce_stream_id',
  'qos_channel',
  'qos_stream_id',
  'stream_id_range',
  'descriptor_stream_id_range',
  'control_stream_id_range',
] as const;

export const SHM_KEYS = [
  'base_dir',
  'namespace',
  'require_hugepages',
  'page_size_bytes',
  'permissions_mode',
  'allowed_base_dirs',
] as const;

export const POLICIES_KEYS = [
  'allow_dynamic_streams',
  'default_profile',
  'announce_period_ms',
  'lease_keepalive_interval_ms',
  'lease_expiry_grace_intervals',
  'prefault_shm',
  'reuse_existing_shm',
  'mlock_shm',
  'cleanup_shm_on_exit',
  'epoch_gc_enabled',
  'epoch_gc_keep',
  'epoch_gc_min_age_ns',
  'epoch_gc_on_startup',
  'shutdown_timeout_ms',
  'shutdown_token',
  'revoke_on_disconnect',
] as const;

export const PROFILE_KEYS = ['header_nslots', 'header_slot_bytes', 'payload_pools'] as const;
export const POOL_KEYS = ['pool_id', 'stride_bytes'] as const;
export const STREAM_KEYS = ['stream_id', 'profile'] as const;

export const SECTION_KEYS = {
  driver: DRIVER_KEYS,
  shm: SHM_KEYS,
  policies: POLICIES_KEYS,
} as const;

export type Section = keyof typeof SECTION_KEYS;

/** A dotted key of `[driver]`, `[shm]` or `[policies]`: the keys overrides and env vars may set. */
export type SectionKey =
  | `driver.${(typeof DRIVER_KEYS)[number]}`
  | `shm.${(typeof SHM_KEYS)[number]}`
  | `policies.${(typeof POLICIES_KEYS)[number]}`;

/** CONFIG.md §1: `shm.allowed_base_dirs`, `profiles.*` and `streams.*` have no env var. */
export const TOML_ONLY_KEYS: ReadonlySet<string> = new Set(['shm.allowed_base_dirs']);

export const SECTION_KEY_SET: ReadonlySet<string> = new Set(
  (Object.keys(SECTION_KEYS) as Section[]).flatMap((s) => SECTION_KEYS[s].map((k) => `${s}.${k}`)),
);

/** CONFIG.md §1 env-var rule: upper-case the dotted key, every `.` becomes `_`. */
export function envName(key: string): string {
  return key.toUpperCase().replaceAll('.', '_');
}

/** CONFIG.md §1 legacy aliases, consulted only when the canonical variable is absent. */
export const LEGACY_ENV_ALIASES: Readonly<Partial<Record<SectionKey, string>>> = {
  'driver.control_channel': 'TP_CONTROL_CHANNEL',
  'driver.control_stream_id': 'TP_CONTROL_STREAM_ID',
};

/** Aeron-only settings that tensorpool rejects rather than ignores (CONFIG.md preamble). */
export const AERON_DIR_KEY = 'driver.aeron_dir';
export const AERON_DIR_ENV = ['DRIVER_AERON_DIR', 'AERON_DIR'] as const;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** A dotted key path with TOML quoting for segments that are not bare keys (`profiles."a.b".x`). */
export function keyPath(...segments: readonly string[]): string {
  return segments.map((s) => (BARE_KEY.test(s) ? s : JSON.stringify(s))).join('.');
}
