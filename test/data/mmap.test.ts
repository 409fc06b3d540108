/**
 * The same writer and reader over real shared file mappings (src/shm mapRegion, the tp_mmap
 * addon) instead of SharedArrayBuffers: the producer maps read-write, the consumer maps the same
 * files again read-only, and frames cross between the two mappings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionType } from '../../src/sbe/index.js';
import { encodeSuperblock } from '../../src/shm/superblock-io.js';
import { mapRegion, type ExpectedRegion, type MappedRegion } from '../../src/shm/map-region.js';
import { FrameReader, FrameWriter, fillPattern, verifyPattern, type FrameRing } from '../../src/data/index.js';

const EPOCH = 7n;
const STREAM = 42;
const NSLOTS = 8;
const STRIDE = 4096;

function regionFile(path: string, regionType: RegionType, poolId: number, slotBytes: number, strideBytes: number): void {
  const sb = encodeSuperblock({
    epoch: EPOCH, streamId: STREAM, regionType, poolId, nslots: NSLOTS, slotBytes, strideBytes,
    pid: process.pid, startTimestampNs: 1n, activityTimestampNs: 1n,
  });
  const file = new Uint8Array(64 + NSLOTS * slotBytes);
  file.set(sb);
  writeFileSync(path, file, { mode: 0o600 });
}

test('frames cross from a read-write mapping to a read-only mapping of the same files', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tp-data-mmap-')));
  const mapped: MappedRegion[] = [];
  try {
    const headerPath = join(dir, 'header.ring');
    const poolPath = join(dir, '1.pool');
    regionFile(headerPath, RegionType.HEADER_RING, 0, 256, 0);
    regionFile(poolPath, RegionType.PAYLOAD_POOL, 1, STRIDE, STRIDE);
    const headerExpected: ExpectedRegion = { kind: 'header', streamId: STREAM, epoch: EPOCH, nslots: NSLOTS };
    const poolExpected: ExpectedRegion = { kind: 'pool', streamId: STREAM, epoch: EPOCH, nslots: NSLOTS, poolId: 1, strideBytes: STRIDE };
    const map = (path: string, writable: boolean, expected: ExpectedRegion): MappedRegion => {
      const m = mapRegion(path, { writable, allowedBaseDirs: [dir], expected });
      mapped.push(m);
      return m;
    };
    const ringOf = (writable: boolean): FrameRing => ({
      streamId: STREAM, epoch: EPOCH, nslots: NSLOTS,
      header: map(headerPath, writable, headerExpected),
      pools: [{ poolId: 1, strideBytes: STRIDE, region: map(poolPath, writable, poolExpected) }],
    });
    const w = new FrameWriter(ringOf(true));
    const r = new FrameReader(ringOf(false));
    for (let i = 0; i < 3 * NSLOTS; i++) {
      const c = w.claim(1000 + i) ?? assert.fail();
      fillPattern(c.payload, c.seq);
      const seq = w.commit(c, { dtype: 'UINT8', shape: [1000 + i] });
      const f = r.read(seq, EPOCH) ?? assert.fail(`seq ${seq}`);
      assert.equal(f.valuesLenBytes, 1000 + i);
      assert.equal(verifyPattern(f.bytes, seq), -1);
      if (seq >= NSLOTS) assert.equal(r.read(seq - NSLOTS), null, 'lapped');
    }
    const f32 = new Float32Array([1, 2, 3, 4]);
    const seq = w.publish(f32, { shape: [2, 2] }) ?? assert.fail();
    const f = r.read(seq) ?? assert.fail();
    assert.ok(f.data instanceof Float32Array);
    assert.deepEqual(Array.from(f.data), [1, 2, 3, 4]);
    assert.equal(r.framesOverwritten, 2 * NSLOTS);
  } finally {
    for (const m of mapped) m.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
