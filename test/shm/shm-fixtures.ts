/** Shared fixtures of the src/shm tests: temp dirs under os.tmpdir() and a ShmContext over them. */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PoliciesSection, ProfileConfig, ShmSection } from '../../src/driver/config/driver-config.js';
import { createShmContext, type ShmContext, type ShmContextOptions } from '../../src/shm/index.js';

export interface TempRoot {
  /** Canonical temp dir (realpath: os.tmpdir() may itself be a symlink). */
  readonly dir: string;
  cleanup(): void;
}

export function tempRoot(): TempRoot {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tp-shm-test-')));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function shmSection(baseDir: string, over: Partial<ShmSection> = {}): ShmSection {
  return {
    baseDir,
    namespace: 'default',
    requireHugepages: false,
    pageSizeBytes: 4096,
    permissionsMode: 0o660,
    allowedBaseDirs: [baseDir],
    ...over,
  };
}

export function policies(over: Partial<PoliciesSection> = {}): PoliciesSection {
  return {
    allowDynamicStreams: false,
    defaultProfile: 'small',
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
    ...over,
  };
}

export function context(
  baseDir: string,
  shm: Partial<ShmSection> = {},
  pol: Partial<PoliciesSection> = {},
  options: ShmContextOptions = {},
): ShmContext {
  return createShmContext(
    { shm: shmSection(baseDir, shm), policies: policies(pol) },
    { user: 'tester', warn: () => {}, ...options },
  );
}

export const SMALL: ProfileConfig = {
  name: 'small',
  headerNslots: 8,
  headerSlotBytes: 256,
  payloadPools: [
    { poolId: 1, strideBytes: 64 },
    { poolId: 2, strideBytes: 1024 },
  ],
};

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
