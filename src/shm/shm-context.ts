/**
 * Everything src/shm needs from the driver, resolved once from `DriverConfig.shm` and
 * `DriverConfig.policies`. No clock is read here or anywhere in src/shm: callers pass `nowNs`.
 */
import type { DriverConfig } from '../driver/config/driver-config.js';
import { namespaceDir, sanitizeUser } from './canonical-path.js';
import { canonicalizeAllowedDirs, canonicalizeDir, containingBase } from './containment.js';
import { defaultStatfs, type StatfsFn } from './fs-probe.js';
import { errnoCode } from './shm-errors.js';

export interface ShmContext {
  /** `<canonical base>/tensorpool-<user>/<namespace>` (§9). */
  readonly nsDir: string;
  /** Canonicalised allowlist (§10.1 step 3). */
  readonly allowedBaseDirs: readonly string[];
  readonly requireHugepages: boolean;
  /** Mode of every backing file (`shm.permissions_mode`, §10.2 step 7). */
  readonly fileMode: number;
  /** Mode of directories this layer creates: the file mode plus x wherever r or w is granted. */
  readonly dirMode: number;
  readonly prefault: boolean;
  readonly reuseExisting: boolean;
  /** This driver's pid: GC does not treat its own pid as proof that an epoch is in use (see epoch-gc.ts). */
  readonly driverPid: number;
  readonly platform: NodeJS.Platform;
  readonly statfs: StatfsFn;
  readonly isPidAlive: (pid: number) => boolean;
  readonly warn: (message: string) => void;
}

export interface ShmContextOptions {
  /** Sanitised user name for `tensorpool-<user>`; default from env as the RI does (§9). */
  readonly user?: string;
  readonly statfs?: StatfsFn;
  readonly isPidAlive?: (pid: number) => boolean;
  readonly warn?: (message: string) => void;
  readonly driverPid?: number;
  readonly platform?: NodeJS.Platform;
}

/** x for each of user/group/other that has r or w; special bits dropped. 0o660 → 0o770, 0o600 → 0o700, 0o644 → 0o755. */
export function dirModeFor(fileMode: number): number {
  let mode = fileMode & 0o777;
  for (const shift of [6, 3, 0]) {
    if (((fileMode >> shift) & 0o6) !== 0) mode |= 1 << shift;
  }
  return mode;
}

/** `kill(pid, 0)` succeeds or fails with EPERM → alive; pid ≤ 0 counts as dead (§12.2 step 4). */
export function defaultIsPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

export function createShmContext(
  config: Pick<DriverConfig, 'shm' | 'policies'>,
  options: ShmContextOptions = {},
): ShmContext {
  const { shm, policies } = config;
  const allowedBaseDirs = canonicalizeAllowedDirs(shm.allowedBaseDirs);
  // The base dir is canonicalised like the allowlist, so that a base reached through a symlink
  // still lies textually inside its own canonical allowed dir and URIs carry canonical paths.
  const nsDir = namespaceDir(canonicalizeDir(shm.baseDir), options.user ?? sanitizeUser(), shm.namespace);
  containingBase(nsDir, allowedBaseDirs); // V15: fail at startup, not at the first attach.
  const warn = options.warn ?? ((message: string) => process.emitWarning(message, { code: 'TP_WARN_SHM' }));
  if (policies.mlockShm) {
    // FS-03 "unsupported platform → SHOULD warn and no-op": Node.js cannot mmap/mlock without
    // native code, so there is no mapping in this process to lock.
    warn('policies.mlock_shm=true is not supported by this driver (Node.js has no mlock without native code); SHM regions are not locked. Clients should lock their own mappings (FS-03).');
  }
  return {
    nsDir,
    allowedBaseDirs,
    requireHugepages: shm.requireHugepages,
    fileMode: shm.permissionsMode & 0o7777,
    dirMode: dirModeFor(shm.permissionsMode),
    prefault: policies.prefaultShm,
    reuseExisting: policies.reuseExistingShm,
    driverPid: options.driverPid ?? process.pid,
    platform: options.platform ?? process.platform,
    statfs: options.statfs ?? defaultStatfs,
    isPidAlive: options.isPidAlive ?? defaultIsPidAlive,
    warn,
  };
}
