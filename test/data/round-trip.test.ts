/** Property: whatever tensor the writer commits, the reader returns the same dtype, shape, strides and bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MajorOrder } from '../../src/sbe/index.js';
import { DTYPE_NAMES, FrameReader, FrameWriter, dtypeElementSize, dtypeFromName, type AtomicWordMode } from '../../src/data/index.js';
import { makeRing } from './ring-fixture.js';

const ARRAY_OF: Record<string, string> = {
  INT8: 'Int8Array', UINT16: 'Uint16Array', INT16: 'Int16Array', UINT32: 'Uint32Array', INT32: 'Int32Array',
  UINT64: 'BigUint64Array', INT64: 'BigInt64Array', FLOAT32: 'Float32Array', FLOAT64: 'Float64Array',
};

const tensor = fc.record({
  dtype: fc.constantFrom(...DTYPE_NAMES),
  dims: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }),
  column: fc.boolean(),
  padding: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
  explicit: fc.boolean(),
  seq: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 2 ** 31 - 50, max: 2 ** 31 + 50 }), fc.integer({ min: 0, max: 2 ** 52 - 100 })),
  mode: fc.constantFrom<AtomicWordMode>('split32', 'bigint64'),
  fill: fc.integer({ min: 0, max: 255 }),
});

test('round trip of random dtypes, shapes, strides and major orders', () => {
  fc.assert(
    fc.property(tensor, (t) => {
      const code = dtypeFromName(t.dtype) ?? assert.fail();
      const e = dtypeElementSize(code);
      const n = t.dims.length;
      // Effective strides, innermost first, with optional padding of whole elements.
      const strides = new Array<number>(n).fill(0);
      const order = Array.from({ length: n }, (_, i) => (t.column ? i : n - 1 - i));
      let stride = e * (1 + (t.padding[0] ?? 0));
      for (const d of order) {
        strides[d] = stride;
        stride = stride * Math.max(t.dims[d] ?? 0, 1) + e * (t.padding[d] ?? 0);
      }
      const extent = t.dims.some((v) => v === 0) ? 0 : t.dims.reduce((acc, v, d) => acc + (v - 1) * (strides[d] ?? 0), e);
      const ring = makeRing(4, [{ poolId: 9, strideBytes: 1 << 16 }, { poolId: 3, strideBytes: 64 }]);
      const w = new FrameWriter(ring, { atomicWord: t.mode, initialSeq: t.seq });
      const r = new FrameReader(ring, { atomicWord: t.mode });
      const payload = new Uint8Array(extent).map((_, i) => (t.fill + i * 7) & 0xff);
      const seq = w.publish(payload, {
        dtype: t.dtype,
        shape: t.dims,
        strides: t.explicit || t.padding.some((p) => p > 0) ? strides : undefined,
        majorOrder: t.column ? MajorOrder.COLUMN : MajorOrder.ROW,
        timestampNs: BigInt(t.seq) * 3n,
      });
      if (extent > 1 << 16) {
        assert.equal(seq, null);
        assert.equal(w.framesDroppedOversize, 1);
        return;
      }
      assert.equal(seq, t.seq);
      const f = r.read(t.seq, ring.epoch) ?? assert.fail(`not read: ${JSON.stringify(t)}`);
      assert.equal(f.dtype, code);
      assert.equal(f.dtypeName, t.dtype);
      assert.equal(f.majorOrder, t.column ? MajorOrder.COLUMN : MajorOrder.ROW);
      assert.deepEqual(Array.from(f.shape), t.dims);
      assert.deepEqual(Array.from(f.strides), strides);
      assert.deepEqual(f.bytes, payload);
      assert.equal(f.poolId, extent <= 64 ? 3 : 9);
      assert.equal(f.data.length, Math.floor(extent / e));
      assert.equal(f.data.constructor.name, ARRAY_OF[t.dtype] ?? 'Uint8Array');
      assert.equal(f.timestampNs(), BigInt(t.seq) * 3n);
      assert.equal(f.stillValid(), true);
    }),
    { numRuns: 300 },
  );
});

test('publish infers dtype and shape from a typed array', () => {
  const ring = makeRing(4, [{ poolId: 1, strideBytes: 1024 }]);
  const w = new FrameWriter(ring);
  const r = new FrameReader(ring);
  const values = new Float64Array([0.5, -1, Math.PI]);
  assert.equal(w.publish(values), 0);
  const f = r.read(0) ?? assert.fail();
  assert.equal(f.dtypeName, 'FLOAT64');
  assert.deepEqual(Array.from(f.shape), [3]);
  assert.deepEqual(Array.from(f.data as Float64Array), Array.from(values));
  const big = new BigInt64Array([-5n, 1n << 62n]);
  assert.equal(w.publish(big, { shape: [2, 1] }), 1);
  const g = r.read(1) ?? assert.fail();
  assert.deepEqual(Array.from(g.data as BigInt64Array), [-5n, 1n << 62n]);
  assert.throws(() => w.publish(new DataView(new ArrayBuffer(4))), /give a dtype/);
  assert.equal(w.publish(new DataView(new ArrayBuffer(4)), { dtype: 'INT32' }), 2);
});
