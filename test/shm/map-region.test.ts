/**
 * mapRegion (SHM_LAYOUT.md §7.1, §8, §10.1) over real files provisioned by provisionEpoch: mapping,
 * sharing across mappings and processes, close(), read-only mappings, and every rejection — each
 * rejection also checks that nothing of the region is left mapped (/proc/self/maps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { allocatedPerOp } from '../../bench/lib/measure.js';
import {
  mapRegion,
  provisionEpoch,
  readActivity,
  readSuperblockFile,
  refreshActivity,
  ShmMapError,
  type ExpectedRegion,
  type MappedRegion,
  type ProvisionedEpoch,
  type ShmMapCheck,
} from '../../src/shm/index.js';
import { context, SMALL, tempRoot, type TempRoot } from './shm-fixtures.js';

const STREAM = 7;
const EPOCH = 42n;

interface Fixture {
  readonly root: TempRoot;
  readonly epoch: ProvisionedEpoch;
  readonly headerExpected: ExpectedRegion;
  poolExpected(index: number): ExpectedRegion;
}

/** SMALL: header 8 slots; pool 1 stride 64, pool 2 stride 1024. */
function withEpoch(body: (f: Fixture) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const root = tempRoot();
    try {
      const epoch = provisionEpoch(context(root.dir), { streamId: STREAM, epoch: EPOCH, profile: SMALL, nowNs: 1_000n, pid: process.pid });
      const f: Fixture = {
        root,
        epoch,
        headerExpected: { kind: 'header', streamId: STREAM, epoch: EPOCH, nslots: 8 },
        poolExpected: (i) => {
          const p = epoch.pools[i];
          assert.ok(p !== undefined);
          return { kind: 'pool', streamId: STREAM, epoch: EPOCH, nslots: p.nslots, poolId: p.poolId, strideBytes: p.strideBytes };
        },
      };
      await body(f);
    } finally {
      root.cleanup();
    }
  };
}

/** Lines of /proc/self/maps whose file lies under `dir`. */
function mappingsUnder(dir: string): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir + '/'));
}

/** The permission column (e.g. "r--s") of the mapping of `path`. */
function permsOf(path: string): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.endsWith(' ' + path))
    .map((l) => l.split(/\s+/)[1] ?? '');
}

function rejects(dir: string, check: ShmMapCheck, fn: () => MappedRegion, message?: RegExp): ShmMapError {
  const before = mappingsUnder(dir).length;
  let caught: unknown;
  try {
    const region = fn();
    region.close();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ShmMapError, `expected ShmMapError ${check}, got ${String(caught)}`);
  assert.equal(caught.check, check, caught.message);
  assert.equal(caught.code, `TP_ERR_SHM_MAP_${check}`);
  if (message !== undefined) assert.match(caught.message, message);
  assert.deepEqual(mappingsUnder(dir).length, before, 'a refused region must not stay mapped');
  return caught;
}

/** Overwrites bytes of a file in place (to forge a superblock field). */
function patch(path: string, offset: number, bytes: number[]): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Uint8Array.from(bytes), 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

test('maps the header ring and every pool of a provisioned epoch, by URI, with the validated superblock', withEpoch((f) => {
  const base = [f.root.dir];
  const header = mapRegion(f.epoch.header.uri, { writable: false, allowedBaseDirs: base, expected: f.headerExpected });
  try {
    assert.equal(header.path, f.epoch.header.path);
    assert.equal(header.size, 64 + 8 * 256);
    assert.equal(header.bytes.length, header.size);
    assert.equal(header.words.length, header.size / 8);
    assert.equal(header.bytes.byteOffset, 0);
    assert.equal(header.superblock.epoch, EPOCH);
    assert.equal(header.superblock.pid, BigInt(process.pid));
    assert.equal(header.writable, false);
    // the superblock bytes in the mapping are the file's bytes
    assert.deepEqual(Buffer.from(header.bytes.subarray(0, 64)), readFileSync(f.epoch.header.path).subarray(0, 64));
  } finally {
    header.close();
  }
  for (let i = 0; i < f.epoch.pools.length; i++) {
    const pool = f.epoch.pools[i];
    assert.ok(pool !== undefined);
    const region = mapRegion(pool.uri, { writable: true, allowedBaseDirs: base, expected: f.poolExpected(i) });
    assert.equal(region.size, 64 + pool.nslots * pool.strideBytes);
    assert.equal(region.superblock.poolId, pool.poolId);
    region.close();
  }
  assert.deepEqual(mappingsUnder(f.root.dir), []);
}));

test('bytes and 8-byte atomics written through one mapping are seen through another of the same file', withEpoch((f) => {
  const opts = { allowedBaseDirs: [f.root.dir], expected: f.headerExpected };
  const writer = mapRegion(f.epoch.header.path, { ...opts, writable: true });
  const reader = mapRegion(f.epoch.header.uri, { ...opts, writable: false });
  try {
    const slot3 = 64 + 3 * 256;
    writer.bytes.set([1, 2, 3, 4], slot3 + 16);
    assert.deepEqual([...reader.bytes.subarray(slot3 + 16, slot3 + 20)], [1, 2, 3, 4]);
    // seq_commit of slot 3 (committed, logical sequence 5): (5 << 1) | 1
    Atomics.store(writer.words, slot3 / 8, 11n);
    assert.equal(Atomics.load(reader.words, slot3 / 8), 11n);
    // and the file (page cache) has it too
    assert.equal(readFileSync(f.epoch.header.path).readBigInt64LE(slot3), 11n);
  } finally {
    writer.close();
    reader.close();
  }
}));

test('a child process maps the same pool writable and writes; the parent sees the bytes (bounded)', withEpoch(async (f) => {
  const pool = f.epoch.pools[1];
  assert.ok(pool !== undefined);
  const expected = f.poolExpected(1);
  const reader = mapRegion(pool.uri, { writable: false, allowedBaseDirs: [f.root.dir], expected });
  try {
    const moduleUrl = new URL('../../src/shm/index.js', import.meta.url).href;
    const script = `
      import { mapRegion } from ${JSON.stringify(moduleUrl)};
      const [uri, base, stride] = process.argv.slice(1);
      const r = mapRegion(uri, { writable: true, allowedBaseDirs: [base],
        expected: { kind: 'pool', streamId: ${STREAM}, epoch: ${EPOCH}n, nslots: 8, poolId: ${pool.poolId}, strideBytes: Number(stride) } });
      const slot = 64 + 2 * Number(stride);
      for (let i = 0; i < 256; i++) r.bytes[slot + i] = (i * 7) & 0xff;
      Atomics.store(r.words, slot / 8 + 32, 0x1234_5678_9abcn);
      r.close();
      process.stdout.write('written');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, pool.uri, f.root.dir, String(pool.strideBytes)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child did not finish within 10 s'));
      }, 10_000);
      child.once('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, err);
    assert.equal(out, 'written');
    const slot = 64 + 2 * pool.strideBytes;
    for (let i = 0; i < 256; i++) assert.equal(reader.bytes[slot + i], (i * 7) & 0xff);
    assert.equal(Atomics.load(reader.words, slot / 8 + 32), 0x1234_5678_9abcn);
  } finally {
    reader.close();
  }
}));

test('close() unmaps and detaches: views read as empty, Atomics throw, close is idempotent', withEpoch((f) => {
  const region = mapRegion(f.epoch.header.uri, { writable: true, allowedBaseDirs: [f.root.dir], expected: f.headerExpected });
  const { bytes, words } = region;
  assert.equal(mappingsUnder(f.root.dir).length, 1);
  region.close();
  assert.equal(region.closed, true);
  assert.equal(bytes.length, 0);
  assert.equal(region.bytes.length, 0);
  assert.equal(words.length, 0);
  assert.equal(bytes[0], undefined);
  assert.throws(() => Atomics.load(words, 0), TypeError);
  assert.deepEqual(mappingsUnder(f.root.dir), []);
  region.close();
  assert.throws(() => refreshActivity(region, 5n), (e: unknown) => e instanceof ShmMapError && e.check === 'STATE');
}));

test('writable=false maps PROT_READ (kernel view r--s) and cannot refresh activity; writable=true maps rw-s', withEpoch((f) => {
  const opts = { allowedBaseDirs: [f.root.dir], expected: f.headerExpected };
  const ro = mapRegion(f.epoch.header.uri, { ...opts, writable: false });
  try {
    assert.deepEqual(permsOf(f.epoch.header.path), ['r--s']);
    assert.throws(() => refreshActivity(ro, 5n), (e: unknown) => e instanceof ShmMapError && e.check === 'STATE');
  } finally {
    ro.close();
  }
  const rw = mapRegion(f.epoch.header.uri, { ...opts, writable: true });
  try {
    assert.deepEqual(permsOf(f.epoch.header.path), ['rw-s']);
  } finally {
    rw.close();
  }
}));

test('lock(): mlock of the mapping succeeds or fails with ShmMapError MMAP (RLIMIT_MEMLOCK); closed → STATE', withEpoch((f) => {
  const region = mapRegion(f.epoch.header.uri, { writable: false, allowedBaseDirs: [f.root.dir], expected: f.headerExpected });
  try {
    region.lock();
  } catch (error) {
    assert.ok(error instanceof ShmMapError && error.check === 'MMAP', String(error));
  }
  region.close();
  assert.throws(() => region.lock(), (e: unknown) => e instanceof ShmMapError && e.check === 'STATE');
}));

test('refreshActivity: one 8-byte atomic store of activityTimestampNs, visible in the file', withEpoch((f) => {
  const region = mapRegion(f.epoch.header.uri, { writable: true, allowedBaseDirs: [f.root.dir], expected: f.headerExpected });
  try {
    const big = (1n << 63n) + 12345n; // u64 above i64 range round-trips
    refreshActivity(region, big);
    assert.equal(readActivity(region), big);
    assert.equal(readSuperblockFile(f.epoch.header.path)?.activityTimestampNs, big);
    refreshActivity(region, 2_000n);
    assert.equal(readSuperblockFile(f.epoch.header.path)?.activityTimestampNs, 2_000n);
    assert.equal(readSuperblockFile(f.epoch.header.path)?.startTimestampNs, 1_000n); // nothing else moved
  } finally {
    region.close();
  }
}));

test('§7.1 step 9: activity freshness when asked (announce path): zero or stale → ACTIVITY; fresh maps', withEpoch((f) => {
  const opts = { writable: false, allowedBaseDirs: [f.root.dir], expected: f.headerExpected };
  mapRegion(f.epoch.header.uri, { ...opts, freshness: { nowNs: 3_000n, maxAgeNs: 2_000n } }).close();
  rejects(f.root.dir, 'ACTIVITY', () => mapRegion(f.epoch.header.uri, { ...opts, freshness: { nowNs: 3_001n, maxAgeNs: 2_000n } }), /stale/);
  patch(f.epoch.header.path, 56, [0, 0, 0, 0, 0, 0, 0, 0]);
  rejects(f.root.dir, 'ACTIVITY', () => mapRegion(f.epoch.header.uri, { ...opts, freshness: { nowNs: 0n, maxAgeNs: 2_000n } }), /is 0/);
}));

test('§8/§10.1: URI, containment and file-type rejections happen before anything is mapped', withEpoch((f) => {
  const dir = f.root.dir;
  const h = f.epoch.header;
  const base = [dir];
  const opts = { writable: false, allowedBaseDirs: base, expected: f.headerExpected };
  // URI grammar (§8.2 rules 1–3)
  rejects(dir, 'URI', () => mapRegion(`shm:mem?path=${h.path}`, opts));
  rejects(dir, 'URI', () => mapRegion(`shm:file?path=${h.path}|mode=rw`, opts));
  // outside the allowed dirs (§10.1 step 4)
  const other = join(dir, 'other');
  mkdirSync(other);
  rejects(dir, 'CONTAINMENT', () => mapRegion(h.uri, { ...opts, allowedBaseDirs: [other] }), /not within allowed_base_dirs/);
  // relative path, `..` (refused, not resolved)
  rejects(dir, 'CONTAINMENT', () => mapRegion('header.ring', opts));
  rejects(dir, 'CONTAINMENT', () => mapRegion(`${other}/../${h.path.slice(dir.length + 1)}`, opts), /not normalised/);
  // a symlink at the file itself, and one in a directory component
  const link = join(dir, 'link.ring');
  symlinkSync(h.path, link);
  rejects(dir, 'CONTAINMENT', () => mapRegion(`shm:file?path=${link}`, opts), /symlink/);
  const linkDir = join(dir, 'linkdir');
  symlinkSync(f.epoch.dir, linkDir);
  rejects(dir, 'CONTAINMENT', () => mapRegion(join(linkDir, 'header.ring'), opts), /symlink/);
  // missing file
  rejects(dir, 'NOT_FOUND', () => mapRegion(join(f.epoch.dir, '9.pool'), opts));
  // FIFO: refused from lstat, before open (an open would block)
  const fifo = join(dir, 'fifo.ring');
  execFileSync('mkfifo', [fifo]);
  rejects(dir, 'FILE_TYPE', () => mapRegion(`shm:file?path=${fifo}`, opts), /FIFO/);
  // a directory
  rejects(dir, 'FILE_TYPE', () => mapRegion(f.epoch.dir, opts), /directory/);
  // a character device: /dev/null itself with /dev allowed
  rejects('/dev', 'FILE_TYPE', () => mapRegion('shm:file?path=/dev/null', { ...opts, allowedBaseDirs: ['/dev'] }), /character device/);
}));

test('§10.1: a character device created inside the allowed dir (mknod, root only) is refused', withEpoch((f) => {
  const dev = join(f.root.dir, 'null.ring');
  try {
    execFileSync('mknod', [dev, 'c', '1', '3'], { stdio: 'ignore' });
  } catch {
    return; // not permitted here (no CAP_MKNOD): the /dev/null case above covers the check
  }
  rejects(f.root.dir, 'FILE_TYPE', () => mapRegion(dev, { writable: true, allowedBaseDirs: [f.root.dir], expected: f.headerExpected }), /character device/);
}));

test('§10.1 step 7: a file smaller than the mapping is refused', withEpoch((f) => {
  const opts = { writable: false, allowedBaseDirs: [f.root.dir] };
  // the announce claims more slots than the file holds
  rejects(f.root.dir, 'SIZE', () => mapRegion(f.epoch.header.uri, { ...opts, expected: { ...f.headerExpected, nslots: 16 } }), /smaller than the 4160 bytes/);
  // the file was truncated
  truncateSync(f.epoch.header.path, 2000);
  rejects(f.root.dir, 'SIZE', () => mapRegion(f.epoch.header.uri, { ...opts, expected: f.headerExpected }), /2000 bytes/);
}));

test('§8.2 rule 4: require_hugepages (URI or caller) on a filesystem that is not hugetlbfs is refused', withEpoch((f) => {
  const opts = { writable: false, allowedBaseDirs: [f.root.dir], expected: f.headerExpected };
  rejects(f.root.dir, 'HUGEPAGES', () => mapRegion(`${f.epoch.header.uri}|require_hugepages=true`, opts), /not on hugetlbfs/);
  rejects(f.root.dir, 'HUGEPAGES', () => mapRegion(f.epoch.header.uri, { ...opts, requireHugepages: true }), /not on hugetlbfs/);
  rejects(f.root.dir, 'HUGEPAGES', () => mapRegion(f.epoch.header.uri, { ...opts, requireHugepages: true, platform: 'darwin' }), /cannot verify/);
  // a faked hugetlbfs statfs passes the check (the mapping itself is the ordinary one)
  const hugetlbfs = () => ({ type: 0x958458f6n, bavail: 0n, bsize: 1n });
  mapRegion(`${f.epoch.header.uri}|require_hugepages=true`, { ...opts, statfs: hugetlbfs }).close();
}));

test('§7.1 steps 1–4: invalid announced geometry is refused before the file is touched', withEpoch((f) => {
  const opts = { writable: false, allowedBaseDirs: [f.root.dir] };
  rejects(f.root.dir, 'GEOMETRY', () => mapRegion(f.epoch.header.uri, { ...opts, expected: { ...f.headerExpected, nslots: 6 } }), /power of two/);
  rejects(f.root.dir, 'GEOMETRY', () => mapRegion(f.epoch.header.uri, { ...opts, expected: { ...f.headerExpected, nslots: 0 } }));
  const pool = f.poolExpected(0);
  assert.equal(pool.kind, 'pool');
  if (pool.kind !== 'pool') return;
  for (const strideBytes of [0, 32, 96, 100, 192]) {
    rejects(f.root.dir, 'GEOMETRY', () => mapRegion(f.epoch.pools[0]?.uri ?? '', { ...opts, expected: { ...pool, strideBytes } }), /strideBytes/);
  }
}));

test('§7.1 steps 7–8: every superblock field is compared with the announce; mismatches name field and values', withEpoch((f) => {
  const dir = f.root.dir;
  const opts = { writable: false, allowedBaseDirs: [dir] };
  const h = f.epoch.header;
  const p1 = f.epoch.pools[0];
  const p2 = f.epoch.pools[1];
  assert.ok(p1 !== undefined && p2 !== undefined);
  const pool1 = f.poolExpected(0);
  const pool2 = f.poolExpected(1);
  assert.ok(pool1.kind === 'pool' && pool2.kind === 'pool');
  // announce/attach values that differ from the file
  rejects(dir, 'EPOCH', () => mapRegion(h.uri, { ...opts, expected: { ...f.headerExpected, epoch: 43n } }), /epoch is 42, expected 43/);
  rejects(dir, 'STREAM_ID', () => mapRegion(h.uri, { ...opts, expected: { ...f.headerExpected, streamId: 8 } }), /streamId is 7, expected 8/);
  rejects(dir, 'LAYOUT_VERSION', () => mapRegion(h.uri, { ...opts, expected: { ...f.headerExpected, layoutVersion: 2 } }));
  rejects(dir, 'NSLOTS', () => mapRegion(h.uri, { ...opts, expected: { ...f.headerExpected, nslots: 4 } }), /nslots is 8, expected 4/);
  // the header file announced as a pool, a pool announced as the header
  rejects(dir, 'REGION_TYPE', () => mapRegion(h.uri, { ...opts, expected: pool1 }), /regionType is 1, expected 2/);
  rejects(dir, 'REGION_TYPE', () => mapRegion(p2.uri, { ...opts, expected: f.headerExpected }), /regionType is 2, expected 1/);
  // pool 1's file announced as pool 2 (same stride would pass otherwise)
  rejects(dir, 'POOL_ID', () => mapRegion(p1.uri, { ...opts, expected: { ...pool1, poolId: 2 } }), /poolId is 1, expected 2/);
  // pool 2 (stride 1024) announced with stride 512: slotBytes is compared first (RI)
  rejects(dir, 'SLOT_BYTES', () => mapRegion(p2.uri, { ...opts, expected: { ...pool2, strideBytes: 512 } }), /slotBytes is 1024, expected 512/);
  mapRegion(p2.uri, { ...opts, expected: pool2 }).close();

  // forged files: magic, layout version, strideBytes field, header poolId
  patch(p2.path, 36, [0, 2, 0, 0]); // strideBytes 512 while slotBytes stays 1024
  rejects(dir, 'STRIDE_BYTES', () => mapRegion(p2.uri, { ...opts, expected: pool2 }), /strideBytes is 512, expected 1024/);
  patch(h.path, 26, [1, 0]); // header poolId must be 0
  rejects(dir, 'POOL_ID', () => mapRegion(h.uri, { ...opts, expected: f.headerExpected }), /poolId is 1, expected 0/);
  patch(h.path, 8, [2, 0, 0, 0]);
  rejects(dir, 'LAYOUT_VERSION', () => mapRegion(h.uri, { ...opts, expected: f.headerExpected }), /layoutVersion is 2, expected 1/);
  patch(h.path, 0, [0x54, 0x50, 0x4f, 0x4c, 0x53, 0x48, 0x4d, 0x31]); // "TPOLSHM1" as bytes: the wrong reading of §2.2
  rejects(dir, 'MAGIC', () => mapRegion(h.uri, { ...opts, expected: f.headerExpected }), /magic 0x314d48534c4f5054/);
}));

test('allocation: Atomics.load of a mapped u64 (BigInt64Array) vs its low 32 bits (Int32Array); numbers for docs/shm/MAPPING.md', (t) => withEpoch((f) => {
  const region = mapRegion(f.epoch.header.uri, { writable: true, allowedBaseDirs: [f.root.dir], expected: f.headerExpected });
  try {
    const slot0 = 64 / 8;
    Atomics.store(region.words, slot0, 11n);
    const words = region.words;
    const low = new Int32Array(region.bytes.buffer, 0, region.size / 4);
    let hits = 0;
    const big = (n: number): void => {
      for (let i = 0; i < n; i++) if (Atomics.load(words, slot0) === 11n) hits++;
    };
    const small = (n: number): void => {
      for (let i = 0; i < n; i++) if (Atomics.load(low, slot0 * 2) === 11) hits++;
    };
    big(200_000);
    small(200_000); // warm up both
    const n = 1_000_000;
    const bigAlloc = allocatedPerOp(big, n);
    const smallAlloc = allocatedPerOp(small, n);
    t.diagnostic(`Atomics.load BigInt64Array: ${bigAlloc.bytesPerOp.toFixed(1)} B/op (${bigAlloc.gcCount} GCs); Int32Array low word: ${smallAlloc.bytesPerOp.toFixed(1)} B/op`);
    assert.ok(hits > 0);
    assert.ok(smallAlloc.bytesPerOp < 1, `the 32-bit path should not allocate, got ${smallAlloc.bytesPerOp} B/op`);
  } finally {
    region.close();
  }
})());
