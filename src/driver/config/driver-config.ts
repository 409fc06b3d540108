/**
 * The resolved driver configuration (CONFIG.md): every key validated, every default and
 * derived default applied. The driver only ever sees this shape; loading TOML, environment
 * variables and programmatic overrides into it is `load-config.ts`'s job.
 */

/** An inclusive u32 range (`"start-end"`, `"start,end"` or `[start, end]`). */
export interface IdRange {
  readonly start: number;
  readonly end: number;
}

export interface PoolConfig {
  readonly poolId: number;
  /** Power of two, multiple of 64 (V6). */
  readonly strideBytes: number;
}

export interface ProfileConfig {
  readonly name: string;
  /** Power of two (V3); also every pool's slot count. */
  readonly headerNslots: number;
  /** Always 256 (V4). */
  readonly headerSlotBytes: number;
  /** At least one (V5), pool ids unique (V11). */
  readonly payloadPools: readonly PoolConfig[];
}

export interface StreamConfig {
  readonly name: string;
  readonly streamId: number;
  readonly profile: string;
}

export interface DriverSection {
  readonly instanceId: string;
  /** `unix:<absolute path>` (tensorpool's control plane is a local stream socket). */
  readonly controlChannel: string;
  readonly controlStreamId: number;
  readonly announceChannel: string;
  readonly announceStreamId: number;
  readonly qosChannel: string;
  readonly qosStreamId: number;
  readonly streamIdRange: IdRange | null;
  readonly descriptorStreamIdRange: IdRange | null;
  readonly controlStreamIdRange: IdRange | null;
}

export interface ShmSection {
  /** Absolute. */
  readonly baseDir: string;
  readonly namespace: string;
  readonly requireHugepages: boolean;
  readonly pageSizeBytes: number;
  /** POSIX mode bits parsed from the octal string (e.g. 0o660). */
  readonly permissionsMode: number;
  /** Absolute, canonicalised; defaults to `[baseDir]`. */
  readonly allowedBaseDirs: readonly string[];
}

export interface PoliciesSection {
  readonly allowDynamicStreams: boolean;
  readonly defaultProfile: string;
  readonly announcePeriodMs: number;
  readonly leaseKeepaliveIntervalMs: number;
  readonly leaseExpiryGraceIntervals: number;
  readonly prefaultShm: boolean;
  readonly reuseExistingShm: boolean;
  readonly mlockShm: boolean;
  readonly cleanupShmOnExit: boolean;
  readonly epochGcEnabled: boolean;
  readonly epochGcKeep: number;
  readonly epochGcMinAgeNs: bigint;
  readonly epochGcOnStartup: boolean;
  readonly shutdownTimeoutMs: number;
  /** Empty = administrative shutdown disabled (SHUTDOWN-07). */
  readonly shutdownToken: string;
  /**
   * tensorpool extension: invalidate a connection's leases as EXPIRED the moment it closes
   * (issue 5); keepalive expiry stays the fallback. Default true.
   */
  readonly revokeOnDisconnect: boolean;
}

export interface DriverConfig {
  readonly driver: DriverSection;
  readonly shm: ShmSection;
  readonly policies: PoliciesSection;
  /** In declaration order. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  readonly streams: readonly StreamConfig[];
}
