/** Shared fixtures of the src/shm tests: temp dirs under os.tmpdir() and a ShmContext over them. */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverConfig, PoliciesSection, ProfileConfig, ShmSection } from '../../src/driver/config/driver-config.js';
import { loadConfig } from '../../src/driver/config/index.js';
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

/**
 * The resolved config the real loader gives for the built-in defaults with `shm.base_dir` set,
 * with `shm`/`policies` fields overridden: the tests run on what the driver will pass in.
 */
function resolvedConfig(baseDir: string, shm: Partial<ShmSection>, pol: Partial<PoliciesSection>): Pick<DriverConfig, 'shm' | 'policies'> {
  const cfg = loadConfig({ env: {}, overrides: { 'shm.base_dir': baseDir } });
  return { shm: { ...cfg.shm, ...shm }, policies: { ...cfg.policies, ...pol } };
}

export function context(
  baseDir: string,
  shm: Partial<ShmSection> = {},
  pol: Partial<PoliciesSection> = {},
  options: ShmContextOptions = {},
): ShmContext {
  return createShmContext(resolvedConfig(baseDir, shm, pol), { user: 'tester', warn: () => {}, ...options });
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
