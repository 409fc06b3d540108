/**
 * The resolved config rendered for logs and the CLI: a JSON-safe object in CONFIG.md's key
 * names (`describeConfig`) or the same as TOML text (`formatConfig`). The shutdown token is a
 * secret and is redacted; everything else is shown as resolved, defaults included.
 */
import { stringify } from 'smol-toml';
import type { DriverConfig } from './driver-config.js';
import { formatRange } from './parse-range.js';

export const REDACTED = '<redacted>';

type Scalar = string | number | boolean;
export type ConfigSummary = {
  readonly driver: Readonly<Record<string, Scalar>>;
  readonly shm: Readonly<Record<string, Scalar | readonly string[]>>;
  readonly policies: Readonly<Record<string, Scalar>>;
  readonly profiles: Readonly<
    Record<string, { header_nslots: number; header_slot_bytes: number; payload_pools: { pool_id: number; stride_bytes: number }[] }>
  >;
  readonly streams: Readonly<Record<string, { stream_id: number; profile: string }>>;
};

export function describeConfig(cfg: DriverConfig): ConfigSummary {
  const { driver: d, shm: s, policies: p } = cfg;
  return {
    driver: {
      instance_id: d.instanceId,
      control_channel: d.controlChannel,
      control_stream_id: d.controlStreamId,
      announce_channel: d.announceChannel,
      announce_stream_id: d.announceStreamId,
      qos_channel: d.qosChannel,
      qos_stream_id: d.qosStreamId,
      stream_id_range: formatRange(d.streamIdRange),
      descriptor_stream_id_range: formatRange(d.descriptorStreamIdRange),
      control_stream_id_range: formatRange(d.controlStreamIdRange),
    },
    shm: {
      base_dir: s.baseDir,
      namespace: s.namespace,
      require_hugepages: s.requireHugepages,
      page_size_bytes: s.pageSizeBytes,
      permissions_mode: s.permissionsMode.toString(8).padStart(3, '0'),
      allowed_base_dirs: [...s.allowedBaseDirs],
    },
    policies: {
      allow_dynamic_streams: p.allowDynamicStreams,
      default_profile: p.defaultProfile,
      announce_period_ms: p.announcePeriodMs,
      lease_keepalive_interval_ms: p.leaseKeepaliveIntervalMs,
      lease_expiry_grace_intervals: p.leaseExpiryGraceIntervals,
      prefault_shm: p.prefaultShm,
      reuse_existing_shm: p.reuseExistingShm,
      mlock_shm: p.mlockShm,
      cleanup_shm_on_exit: p.cleanupShmOnExit,
      epoch_gc_enabled: p.epochGcEnabled,
      epoch_gc_keep: p.epochGcKeep,
      // u64: decimal text keeps the summary JSON-safe.
      epoch_gc_min_age_ns: p.epochGcMinAgeNs.toString(10),
      epoch_gc_on_startup: p.epochGcOnStartup,
      shutdown_timeout_ms: p.shutdownTimeoutMs,
      shutdown_token: p.shutdownToken === '' ? '' : REDACTED,
      revoke_on_disconnect: p.revokeOnDisconnect,
    },
    profiles: Object.fromEntries(
      [...cfg.profiles.values()].map((pr) => [
        pr.name,
        {
          header_nslots: pr.headerNslots,
          header_slot_bytes: pr.headerSlotBytes,
          payload_pools: pr.payloadPools.map((pool) => ({ pool_id: pool.poolId, stride_bytes: pool.strideBytes })),
        },
      ]),
    ),
    streams: Object.fromEntries(cfg.streams.map((st) => [st.name, { stream_id: st.streamId, profile: st.profile }])),
  };
}

/** TOML text of the resolved config (for logs: the shutdown token is redacted). */
export function formatConfig(cfg: DriverConfig): string {
  const summary = describeConfig(cfg);
  return stringify({
    ...summary,
    policies: { ...summary.policies, epoch_gc_min_age_ns: cfg.policies.epochGcMinAgeNs },
  });
}
