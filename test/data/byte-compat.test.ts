/**
 * Byte compatibility with SHM_LAYOUT.md §3.3: our producer writes the example slot exactly, and
 * our consumer reads the example slot built by hand from the spec's bytes (not by the producer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dtype, MajorOrder } from '../../src/sbe/index.js';
import { FrameReader, FrameWriter, fillPattern, verifyPattern, type AtomicWordMode } from '../../src/data/index.js';
import { hex, toHex } from '../sbe/hex.js';
import { counters, EPOCH, EXAMPLE_SLOT_HEX, makeRing, payloadBytes, slotBytes } from './ring-fixture.js';

const MODES: readonly AtomicWordMode[] = ['split32', 'bigint64'];
const example = hex(EXAMPLE_SLOT_HEX);

test('the example slot has the 256 bytes of §3.2', () => {
  assert.equal(example.length, 256);
});

for (const atomicWord of MODES) {
  test(`producer (${atomicWord}): seq 5, 3×4 UINT8 row-major in pool 1 is the §3.3 slot byte for byte, payload in pool slot 5`, () => {
    const ring = makeRing(1024, [{ poolId: 1, strideBytes: 64 }, { poolId: 2, strideBytes: 4096 }]);
    const w = new FrameWriter(ring, { atomicWord });
    const payload = new Uint8Array(12);
    for (let seq = 0; seq <= 5; seq++) {
      fillPattern(payload, seq);
      const got = w.publish(payload, { dtype: 'UINT8', shape: [3, 4], timestampNs: 2100000000 });
      assert.equal(got, seq);
    }
    assert.equal(toHex(slotBytes(ring, 5)), toHex(example));
    const pool = payloadBytes(ring, 0, 5);
    assert.equal(verifyPattern(pool.subarray(0, 12), 5), -1);
    assert.ok(pool.subarray(12).every((b) => b === 0), 'nothing written past valuesLenBytes');
    assert.ok(payloadBytes(ring, 1, 5).every((b) => b === 0), 'the larger pool is untouched');
  });

  test(`producer (${atomicWord}): claim/commit with a bigint timestamp writes the same bytes over a dirty slot`, () => {
    const ring = makeRing(8, [{ poolId: 1, strideBytes: 64 }]);
    slotBytes(ring, 5).fill(0xee); // §5.2 step 4: never rely on prior zeroing
    const w = new FrameWriter(ring, { atomicWord, initialSeq: 5 });
    const c = w.claim(12);
    assert.ok(c !== null);
    assert.equal(c.payload.length, 12);
    fillPattern(c.payload, 5);
    const ts = 2100000000n;
    assert.equal(w.commit(c, { dtype: Dtype.UINT8, shape: [3, 4], majorOrder: MajorOrder.ROW, timestampNs: ts }), 5);
    assert.equal(toHex(slotBytes(ring, 5)), toHex(example));
  });
}

for (const atomicWord of MODES) {
  test(`consumer (${atomicWord}): reads the hand-built §3.3 slot`, () => {
    const ring = makeRing(1024, [{ poolId: 1, strideBytes: 64 }]);
    slotBytes(ring, 5).set(example);
    payloadBytes(ring, 0, 5).set([10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33]);
    const r = new FrameReader(ring, { atomicWord });
    const f = r.read(5, EPOCH);
    assert.ok(f !== null, counters(r));
    assert.equal(f.seq, 5);
    assert.equal(f.epoch, EPOCH);
    assert.equal(f.dtype, Dtype.UINT8);
    assert.equal(f.dtypeName, 'UINT8');
    assert.equal(f.majorOrder, MajorOrder.ROW);
    assert.deepEqual(Array.from(f.shape), [3, 4]);
    assert.deepEqual(Array.from(f.strides), [4, 1]);
    assert.ok(f.data instanceof Uint8Array);
    assert.deepEqual(Array.from(f.data), [10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33]);
    assert.equal(f.valuesLenBytes, 12);
    assert.equal(f.poolId, 1);
    assert.equal(f.slot, 5);
    assert.equal(f.metaVersion, 0);
    assert.equal(f.timestampNs(), 2100000000n);
    assert.equal(f.stillValid(), true);
    // zero-copy: the frame's view is the pool's memory
    payloadBytes(ring, 0, 5)[0] = 99;
    assert.equal(f.data[0], 99);
    assert.equal(r.framesRead, 1);
  });

  test(`consumer (${atomicWord}): a hand-built FLOAT32 column-major slot with inferred strides`, () => {
    const ring = makeRing(16, [{ poolId: 7, strideBytes: 128 }]);
    const slot = example.slice();
    const dv = new DataView(slot.buffer);
    dv.setBigUint64(0, (21n << 1n) | 1n, true); // seq 21 → slot 5 of 16
    dv.setUint32(8, 24, true); // 2×3 float32
    dv.setUint16(16, 7, true);
    dv.setInt16(72, Dtype.FLOAT32, true);
    dv.setInt16(74, MajorOrder.COLUMN, true);
    dv.setInt32(83, 2, true);
    dv.setInt32(87, 3, true);
    dv.setInt32(115, 0, true);
    dv.setInt32(119, 0, true);
    slotBytes(ring, 5).set(slot);
    const values = new Float32Array([1.5, -2, 3.25, 4, 5, 6e10]);
    payloadBytes(ring, 0, 5).set(new Uint8Array(values.buffer));
    const f = new FrameReader(ring, { atomicWord }).read(21);
    assert.ok(f !== null);
    assert.ok(f.data instanceof Float32Array);
    assert.deepEqual(Array.from(f.data), Array.from(values));
    assert.deepEqual(Array.from(f.strides), [4, 8]);
    assert.equal(f.data.byteOffset % 64, 0);
  });
}
