/** Provisioning: SHM_LAYOUT.md §1, §2.4, §9, §10.2, §11; EPOCH-10, FS-01..FS-04. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import {
  HUGETLBFS_MAGIC,
  parseRegionUri,
  provisionEpoch,
  readSuperblockFile,
  ShmContainmentError,
  ShmHugepagesError,
  ShmProvisionError,
  type StatfsFn,
} from '../../src/shm/index.js';
import { context, hex, SMALL, tempRoot } from './shm-fixtures.js';

const EXAMPLE: ProfileConfig = {
  name: 'example',
  headerNslots: 1024,
  headerSlotBytes: 256,
  payloadPools: [{ poolId: 1, strideBytes: 64 }],
};
const TMPFS = 0x01021994n;
const statfsWith = (bavail: bigint, type = TMPFS): StatfsFn => () => ({ type, bavail, bsize: 1n });

test('§2.4: header superblock is byte-exact against the example; pool superblock per §2.1 (RI values)', () => {
  const root = tempRoot();
  try {
    const ctx = context(root.dir);
    const e = provisionEpoch(ctx, { streamId: 10000, epoch: 2_000_000_000n, profile: EXAMPLE, nowNs: 2_000_000_000n, pid: 4242 });
    assert.equal(e.dir, join(root.dir, 'tensorpool-tester', 'default', '10000', '2000000000')); // §9, FS-02
    const header = readFileSync(e.header.path);
    assert.equal(
      hex(header.subarray(0, 64)),
      '314d48534c504f54' + '01000000' + '0094357700000000' + '10270000' + '0100' + '0000' + '00040000' + '00010000' + '00000000' +
        '9210000000000000' + '0094357700000000' + '0094357700000000',
    );
    const pool = readFileSync(e.pools[0]?.path ?? '');
    assert.equal(
      hex(pool.subarray(0, 64)),
      '314d48534c504f54' + '01000000' + '0094357700000000' + '10270000' + '0200' + '0100' + '00040000' + '40000000' + '40000000' +
        '9210000000000000' + '0094357700000000' + '0094357700000000',
    );
    // §1 sizes: 64 + 1024 × 256 = 262,208; 64 + 1024 × 64 = 65,600. Everything after the superblock is zero.
    assert.equal(header.length, 262_208);
    assert.equal(e.header.size, 262_208);
    assert.equal(pool.length, 65_600);
    assert.equal(e.pools[0]?.size, 65_600);
    assert.ok(header.subarray(64).every((b) => b === 0));
    assert.ok(pool.subarray(64).every((b) => b === 0));
    // the codec reads back what was written
    assert.equal(readSuperblockFile(e.header.path)?.epoch, 2_000_000_000n);
  } finally {
    root.cleanup();
  }
});

test('§1: sizes and URIs for several pools; file names header.ring and <pool_id>.pool', () => {
  const root = tempRoot();
  try {
    const ctx = context(root.dir, {}, { prefaultShm: false });
    const e = provisionEpoch(ctx, { streamId: 7, epoch: 5n, profile: SMALL, nowNs: 9n, pid: 1 });
    assert.deepEqual(readdirSync(e.dir).sort(), ['1.pool', '2.pool', 'header.ring']);
    assert.equal(statSync(e.header.path).size, 64 + 8 * 256);
    assert.deepEqual(e.pools.map((p) => [p.poolId, p.nslots, p.strideBytes, p.size, statSync(p.path).size]), [
      [1, 8, 64, 64 + 8 * 64, 64 + 8 * 64],
      [2, 8, 1024, 64 + 8 * 1024, 64 + 8 * 1024],
    ]);
    assert.equal(e.header.slotBytes, 256);
    assert.equal(e.header.uri, `shm:file?path=${e.header.path}`);
    assert.deepEqual(parseRegionUri(e.pools[1]?.uri ?? ''), { path: e.pools[1]?.path, requireHugepages: false });
  } finally {
    root.cleanup();
  }
});

test('§10.2 step 7, §11: file mode equals shm.permissions_mode despite the umask; directories get the mode plus x', () => {
  const root = tempRoot();
  const old = process.umask(0o077);
  try {
    const ctx = context(root.dir, { permissionsMode: 0o640 });
    const e = provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 });
    for (const p of [e.header.path, ...e.pools.map((x) => x.path)]) assert.equal(statSync(p).mode & 0o7777, 0o640, p);
    for (const d of [e.dir, join(root.dir, 'tensorpool-tester'), join(root.dir, 'tensorpool-tester', 'default', '1')]) {
      assert.equal(statSync(d).mode & 0o7777, 0o750, d);
    }
  } finally {
    process.umask(old);
    root.cleanup();
  }
});

test('FS-01: a pre-planted symlink at a directory component is refused and its target stays untouched', () => {
  const root = tempRoot();
  try {
    const base = join(root.dir, 'base');
    const outside = join(root.dir, 'outside');
    mkdirSync(join(base, 'tensorpool-tester', 'default'), { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(base, 'tensorpool-tester', 'default', '3')); // the stream dir
    const ctx = context(base);
    assert.throws(
      () => provisionEpoch(ctx, { streamId: 3, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }),
      (e: unknown) => e instanceof ShmContainmentError && /symlink/.test(e.message),
    );
    assert.deepEqual(readdirSync(outside), []);
  } finally {
    root.cleanup();
  }
});

test('FS-01, §10.2 step 4: a pre-planted symlink at a file path is refused and its target stays untouched', () => {
  const root = tempRoot();
  try {
    const base = join(root.dir, 'base');
    const epochPath = join(base, 'tensorpool-tester', 'default', '3', '1');
    mkdirSync(epochPath, { recursive: true });
    const target = join(root.dir, 'victim');
    writeFileSync(target, 'precious');
    symlinkSync(target, join(epochPath, 'header.ring'));
    // Without reuse the existing epoch dir alone is refused; with reuse the symlink is.
    for (const reuse of [false, true]) {
      const ctx = context(base, {}, { reuseExistingShm: reuse });
      assert.throws(() => provisionEpoch(ctx, { streamId: 3, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }), (e: unknown) =>
        e instanceof ShmContainmentError || e instanceof ShmProvisionError,
      );
      assert.equal(readFileSync(target, 'utf8'), 'precious');
      assert.ok(lstatSync(join(epochPath, 'header.ring')).isSymbolicLink());
      assert.deepEqual(readdirSync(epochPath), ['header.ring']); // no pool file left behind
    }
  } finally {
    root.cleanup();
  }
});

test('§10.2 step 1: the namespace dir must lie inside allowed_base_dirs (prefix trick refused at context creation)', () => {
  const root = tempRoot();
  try {
    assert.throws(() => context(join(root.dir, 'tp2'), { allowedBaseDirs: [join(root.dir, 'tp')] }), ShmContainmentError);
  } finally {
    root.cleanup();
  }
});

test('§10.2 free-space check: shortage → TP_ERR_SHM_PROVISION with the RI text, nothing created', () => {
  const root = tempRoot();
  try {
    const header = 64 + 8 * 256;
    const pool1 = 64 + 8 * 64;
    // enough for the header only
    let ctx = context(root.dir, {}, {}, { statfs: statfsWith(BigInt(header + 10)) });
    assert.throws(
      () => provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }),
      (e: unknown) => e instanceof ShmProvisionError && e.code === 'TP_ERR_SHM_PROVISION' && e.message.startsWith(`insufficient shm space for payload pool 1: need ${pool1} bytes, have 10`),
    );
    ctx = context(root.dir, {}, {}, { statfs: statfsWith(100n) });
    assert.throws(
      () => provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }),
      /^ShmProvisionError: insufficient shm space for header region: need 2112 bytes, have 100/,
    );
    assert.equal(existsSync(join(root.dir, 'tensorpool-tester')), false);
  } finally {
    root.cleanup();
  }
});

test('§10.2 free-space retry: onShortOfSpace runs once (GC hook) and the re-check can succeed', () => {
  const root = tempRoot();
  try {
    let avail = 0n;
    let calls = 0;
    const ctx = context(root.dir, {}, {}, { statfs: () => ({ type: TMPFS, bavail: avail, bsize: 1n }) });
    const e = provisionEpoch(ctx, {
      streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1,
      onShortOfSpace: () => { calls++; avail = 1n << 30n; },
    });
    assert.equal(calls, 1);
    assert.ok(existsSync(e.header.path));
  } finally {
    root.cleanup();
  }
});

test('§8.2 rule 4, §10.2 step 2: require_hugepages needs hugetlbfs (statfs type), fails closed elsewhere', () => {
  const root = tempRoot();
  try {
    const req = { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 };
    let ctx = context(root.dir, { requireHugepages: true }, {}, { statfs: statfsWith(1n << 40n) });
    assert.throws(() => provisionEpoch(ctx, req), (e: unknown) => e instanceof ShmHugepagesError && /^SHM path not on hugetlbfs/.test(e.message));
    ctx = context(root.dir, { requireHugepages: true }, {}, { statfs: statfsWith(1n << 40n, HUGETLBFS_MAGIC), platform: 'darwin' });
    assert.throws(() => provisionEpoch(ctx, req), /cannot verify hugepage backing/);
    assert.equal(existsSync(join(root.dir, 'tensorpool-tester')), false);
    // A (simulated) hugetlbfs passes the check and every URI carries |require_hugepages=true (§8.1 RI).
    ctx = context(root.dir, { requireHugepages: true }, {}, { statfs: statfsWith(1n << 40n, HUGETLBFS_MAGIC), platform: 'linux' });
    const e = provisionEpoch(ctx, req);
    assert.ok(e.header.uri.endsWith('|require_hugepages=true'));
    assert.ok(e.pools.every((p) => parseRegionUri(p.uri).requireHugepages));
  } finally {
    root.cleanup();
  }
});

test('§10.2 step 5: reuse_existing_shm keeps contents, rewrites the superblock, applies the mode; too small → error', () => {
  const root = tempRoot();
  try {
    const first = provisionEpoch(context(root.dir), { streamId: 2, epoch: 4n, profile: SMALL, nowNs: 1n, pid: 1 });
    writeFileSync(first.header.path, Buffer.from([0xaa]), { flag: 'r+' }); // scribble at offset 0 (superblock)
    const body = readFileSync(first.pools[0]?.path ?? '');
    body[100] = 0x5a;
    writeFileSync(first.pools[0]?.path ?? '', body);
    // without reuse, the existing epoch dir is refused (never truncate in place)
    assert.throws(() => provisionEpoch(context(root.dir), { streamId: 2, epoch: 4n, profile: SMALL, nowNs: 2n, pid: 2 }), /already exists/);
    const ctx = context(root.dir, { permissionsMode: 0o600 }, { reuseExistingShm: true });
    provisionEpoch(ctx, { streamId: 2, epoch: 4n, profile: SMALL, nowNs: 2n, pid: 2 });
    assert.equal(readSuperblockFile(first.header.path)?.pid, 2n);
    assert.equal(readFileSync(first.pools[0]?.path ?? '')[100], 0x5a);
    assert.equal(statSync(first.header.path).mode & 0o777, 0o600);
    // a bigger profile does not fit the existing files
    const bigger: ProfileConfig = { ...SMALL, headerNslots: 16 };
    assert.throws(() => provisionEpoch(ctx, { streamId: 2, epoch: 4n, profile: bigger, nowNs: 3n, pid: 3 }), /SHM file smaller than expected size/);
  } finally {
    root.cleanup();
  }
});

test('all or nothing: a failure midway removes the files this call created and nothing else', () => {
  const root = tempRoot();
  try {
    const epochPath = join(root.dir, 'tensorpool-tester', 'default', '9', '1');
    mkdirSync(epochPath, { recursive: true });
    writeFileSync(join(epochPath, 'header.ring'), Buffer.alloc(64 + 8 * 256)); // reusable
    writeFileSync(join(epochPath, '2.pool'), Buffer.alloc(10)); // too small → fails after 1.pool was created
    const ctx = context(root.dir, {}, { reuseExistingShm: true });
    assert.throws(() => provisionEpoch(ctx, { streamId: 9, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }), /smaller than expected/);
    assert.deepEqual(readdirSync(epochPath).sort(), ['2.pool', 'header.ring']);
  } finally {
    root.cleanup();
  }
});

test('§10.2 step 4: a non-regular file at a region path is refused', () => {
  const root = tempRoot();
  try {
    const epochPath = join(root.dir, 'tensorpool-tester', 'default', '9', '1');
    mkdirSync(join(epochPath, 'header.ring'), { recursive: true });
    const ctx = context(root.dir, {}, { reuseExistingShm: true });
    assert.throws(() => provisionEpoch(ctx, { streamId: 9, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 }), /must be a regular file/);
  } finally {
    root.cleanup();
  }
});

test('geometry and identity are re-checked before touching the filesystem', () => {
  const root = tempRoot();
  try {
    const ctx = context(root.dir);
    const base = { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 };
    for (const req of [
      { ...base, epoch: 0n },
      { ...base, epoch: 1n << 64n },
      { ...base, streamId: -1 },
      { ...base, profile: { ...SMALL, headerNslots: 12 } },
      { ...base, profile: { ...SMALL, headerSlotBytes: 128 } },
      { ...base, profile: { ...SMALL, payloadPools: [] } },
      { ...base, profile: { ...SMALL, payloadPools: [{ poolId: 1, strideBytes: 96 }] } },
      { ...base, profile: { ...SMALL, payloadPools: [{ poolId: 1, strideBytes: 64 }, { poolId: 1, strideBytes: 128 }] } },
    ]) {
      assert.throws(() => provisionEpoch(ctx, req), ShmProvisionError);
    }
    assert.equal(existsSync(join(root.dir, 'tensorpool-tester')), false);
  } finally {
    root.cleanup();
  }
});

test('FS-03: mlock_shm warns once at context creation (no-op in Node.js)', () => {
  const root = tempRoot();
  try {
    const warnings: string[] = [];
    context(root.dir, {}, { mlockShm: true }, { warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /mlock_shm/);
  } finally {
    root.cleanup();
  }
});
