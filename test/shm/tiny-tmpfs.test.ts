/**
 * Against a real 1 MiB tmpfs (mounted by the test when running as root; skipped otherwise):
 * the real statfs free-space check (§10.2) and prefault's ENOSPC (FS-04) with full rollback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import { provisionEpoch, ShmProvisionError } from '../../src/shm/index.js';
import { context, tempRoot } from './shm-fixtures.js';

const PROFILE: ProfileConfig = {
  name: 'big',
  headerNslots: 256,
  headerSlotBytes: 256,
  payloadPools: [{ poolId: 1, strideBytes: 4096 }], // 1 MiB + 64 bytes: more than the tmpfs holds
};

function withTinyTmpfs(run: (dir: string) => void): 'skipped' | 'ran' {
  const root = tempRoot();
  const mnt = join(root.dir, 'mnt');
  mkdirSync(mnt);
  const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status === 0;
  try {
    if (!mounted) return 'skipped';
    run(mnt);
    return 'ran';
  } finally {
    if (mounted) spawnSync('umount', [mnt]);
    root.cleanup();
  }
}

test('§10.2: real statfs shortage on a 1 MiB tmpfs → insufficient shm space for payload pool 1', (t) => {
  const r = withTinyTmpfs((dir) => {
    const ctx = context(dir);
    assert.throws(
      () => provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: PROFILE, nowNs: 1n, pid: 1 }),
      (e: unknown) => e instanceof ShmProvisionError && /^insufficient shm space for payload pool 1: need 1048640 bytes, have \d+/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), []);
  });
  if (r === 'skipped') t.skip('cannot mount tmpfs here');
});

test('FS-04: prefault hits ENOSPC when statfs lies → error and no half epoch (directories removed too)', (t) => {
  const r = withTinyTmpfs((dir) => {
    const ctx = context(dir, {}, { prefaultShm: true }, { statfs: () => ({ type: 0x01021994n, bavail: 1n << 40n, bsize: 1n }) });
    assert.throws(
      () => provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: PROFILE, nowNs: 1n, pid: 1 }),
      (e: unknown) => e instanceof ShmProvisionError && /insufficient shm space for payload pool 1: the filesystem filled up while prefaulting/.test(e.message),
    );
    assert.equal(existsSync(join(dir, 'tensorpool-tester')), false);
  });
  if (r === 'skipped') t.skip('cannot mount tmpfs here');
});
