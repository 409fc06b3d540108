/**
 * The seqlock (SHM_LAYOUT.md §5): oversize drops, overwrite and torn-read detection, in-progress
 * and not-yet-written frames, stale words, stillValid(), readInto, poll, and sequence numbers
 * whose commit word needs the high 32 bits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dtype } from '../../src/sbe/index.js';
import { DataError, FrameReader, FrameWriter, fillPattern, verifyPattern, type AtomicWordMode } from '../../src/data/index.js';
import { makeRing, payloadBytes, setWord, slotBytes } from './ring-fixture.js';

const MODES: readonly AtomicWordMode[] = ['split32', 'bigint64'];
const POOLS = [{ poolId: 1, strideBytes: 256 }, { poolId: 2, strideBytes: 64 }, { poolId: 3, strideBytes: 1024 }];

function publishPattern(w: FrameWriter, bytes: number): number | null {
  const c = w.claim(bytes);
  if (c === null) return null;
  fillPattern(c.payload, c.seq);
  return w.commit(c, { dtype: 'UINT8', shape: [bytes] });
}

for (const atomicWord of MODES) {
  const opts = { atomicWord };

  test(`${atomicWord}: smallest fitting pool (§4 rule 6); oversize is dropped and counted, never thrown`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const poolFor = (bytes: number): number => {
      const c = w.claim(bytes) ?? assert.fail(`no pool for ${bytes}`);
      w.abandon(c);
      return c.poolId;
    };
    assert.equal(poolFor(0), 2);
    assert.equal(poolFor(64), 2);
    assert.equal(poolFor(65), 1);
    assert.equal(poolFor(256), 1);
    assert.equal(poolFor(1000), 3);
    assert.equal(poolFor(1024), 3);
    assert.equal(w.claim(1025), null);
    assert.equal(w.publish(new Uint8Array(5000)), null);
    assert.equal(w.framesDroppedOversize, 2);
    assert.equal(w.nextSeq, 0, 'a dropped frame takes no seq');
    assert.equal(publishPattern(w, 10), 0);
  });

  test(`${atomicWord}: claim/commit misuse is a DataError`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const c = w.claim(8) ?? assert.fail();
    assert.throws(() => w.claim(8), (e: unknown) => e instanceof DataError && e.code === 'TP_ERR_DATA_CLAIM_STATE');
    assert.throws(() => w.commit(c, { dtype: 'UINT8', shape: [] }), /ndims 0/);
    assert.throws(() => w.commit(c, { dtype: Dtype.UNKNOWN, shape: [8] }), /dtype/);
    assert.throws(() => w.commit(c, { dtype: 'UINT16', shape: [2, 2], strides: [2, 2] }), /§7.3/);
    assert.throws(() => w.commit(c, { dtype: 'UINT8', shape: [8], progressUnit: 1, progressStrideBytes: 2 }), /§7.4/);
    assert.equal(w.commit(c, { dtype: 'UINT8', shape: [8] }), 0, 'the claim stays open after a refused commit');
    assert.throws(() => w.commit(c, { dtype: 'UINT8', shape: [8] }), /no open claim/);
    assert.throws(() => w.claim(-1), /byte count/);
  });

  test(`${atomicWord}: a reader lapped by the writer drops the old seq as overwritten`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    for (let i = 0; i < 6; i++) publishPattern(w, 100);
    assert.equal(r.read(1), null, 'slot 1 now holds seq 5');
    assert.equal(r.framesOverwritten, 1);
    const f = r.read(5) ?? assert.fail('seq 5 is committed');
    assert.equal(verifyPattern(f.bytes, 5), -1);
    assert.equal(r.read(6), null);
    assert.equal(r.framesNotYetWritten, 1);
    assert.equal(r.latestSeq(), 5);
  });

  test(`${atomicWord}: a claimed, uncommitted frame is in progress; abandoning keeps the seq`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    const c = w.claim(8) ?? assert.fail();
    assert.equal(r.read(0), null);
    assert.equal(r.framesInProgress, 1);
    w.abandon(c);
    assert.equal(w.nextSeq, 0);
    assert.equal(publishPattern(w, 8), 0);
    assert.ok(r.read(0) !== null);
  });

  test(`${atomicWord}: seq_commit changing between the two loads is a torn read, never returned`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    publishPattern(w, 100);
    // Writer claims slot 0 again (seq 4) between the reader's first and second load.
    for (let i = 1; i < 4; i++) publishPattern(w, 100);
    assert.equal(r.readBegin(0), true);
    const c = w.claim(100) ?? assert.fail();
    assert.equal(c.slot, 0);
    assert.equal(r.readEnd(), null);
    assert.equal(r.framesTorn, 1);
    // Same with the write completed in between (word moved from seq 0 to seq 4 committed).
    w.abandon(c);
    const ring2 = makeRing(4, POOLS);
    const w2 = new FrameWriter(ring2, opts);
    const r2 = new FrameReader(ring2, opts);
    for (let i = 0; i < 4; i++) publishPattern(w2, 100);
    assert.equal(r2.readBegin(0), true);
    publishPattern(w2, 100);
    assert.equal(r2.readEnd(), null);
    assert.equal(r2.framesTorn, 1);
    assert.equal(r2.framesRead, 0);
  });

  test(`${atomicWord}: an invalid header that was being rewritten counts as torn, not invalid`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    publishPattern(w, 100);
    slotBytes(ring, 0)[72] = 0; // dtype UNKNOWN
    assert.equal(r.readBegin(0), true);
    setWord(ring, 0, 8n); // seq 4 in progress
    assert.equal(r.readEnd(), null);
    assert.equal(r.framesTorn, 1);
    assert.equal(r.framesInvalid, 0);
  });

  test(`${atomicWord}: stillValid() turns false once the slot is overwritten`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    publishPattern(w, 100);
    const f = r.read(0) ?? assert.fail();
    assert.equal(f.stillValid(), true);
    for (let i = 1; i < 4; i++) publishPattern(w, 100);
    assert.equal(f.stillValid(), true, 'other slots do not matter');
    const c = w.claim(100) ?? assert.fail();
    assert.equal(f.stillValid(), false, 'in progress over it');
    fillPattern(c.payload, c.seq);
    w.commit(c, { dtype: 'UINT8', shape: [100] });
    assert.equal(f.stillValid(), false, 'committed over it');
  });

  test(`${atomicWord}: readInto copies between the loads`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    publishPattern(w, 300);
    const dest = new Uint8Array(1024);
    const f = r.readInto(0, dest) ?? assert.fail();
    assert.equal(f.valuesLenBytes, 300);
    assert.equal(verifyPattern(dest.subarray(0, 300), 0), -1);
    assert.throws(() => r.readInto(0, new Uint8Array(1000)), /largest stride/);
  });

  test(`${atomicWord}: a word lower than one already accepted from the slot is stale (§5.4)`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    for (let i = 0; i < 5; i++) publishPattern(w, 10);
    assert.ok(r.read(4) !== null);
    setWord(ring, 0, 1n); // slot 0 goes back to "seq 0 committed": a second writer or a restart
    assert.equal(r.read(0), null);
    assert.equal(r.framesStale, 1);
  });

  test(`${atomicWord}: poll() follows the writer, waits, and resyncs after being lapped`, () => {
    const ring = makeRing(4, POOLS);
    const w = new FrameWriter(ring, opts);
    const r = new FrameReader(ring, opts);
    assert.equal(r.poll(), null);
    assert.equal(r.nextSeq, 0);
    publishPattern(w, 10);
    publishPattern(w, 10);
    assert.equal(r.poll()?.seq, 0);
    assert.equal(r.poll()?.seq, 1);
    assert.equal(r.poll(), null);
    for (let i = 0; i < 9; i++) publishPattern(w, 10); // seqs 2..10; slot of 2 now holds 10
    assert.equal(r.poll(), null);
    assert.equal(r.nextSeq, 10);
    assert.equal(r.poll()?.seq, 10);
  });

  test(`${atomicWord}: sequence numbers across the 2^31 boundary (high half of the word changes)`, () => {
    const ring = makeRing(4, POOLS);
    const start = 2 ** 31 - 6;
    const w = new FrameWriter(ring, { ...opts, initialSeq: start });
    const r = new FrameReader(ring, opts);
    for (let seq = start; seq < start + 12; seq++) {
      assert.equal(publishPattern(w, 33), seq);
      const f = r.read(seq) ?? assert.fail(`seq ${seq}`);
      assert.equal(f.seq, seq);
      assert.equal(verifyPattern(f.bytes, seq), -1);
      assert.equal(Atomics.load(ring.header.words, 8 + (seq % 4) * 32), (BigInt(seq) << 1n) | 1n, 'the exact 64-bit word');
      if (seq >= start + 4) assert.equal(r.read(seq - 4), null);
    }
    const big = 2 ** 52 - 3;
    const w2 = new FrameWriter(makeRing(4, POOLS), { ...opts, initialSeq: big });
    assert.equal(publishPattern(w2, 1), big);
  });
}

test('a reader built on split32 reads a writer using bigint64 and vice versa', () => {
  for (const [wm, rm] of [['split32', 'bigint64'], ['bigint64', 'split32']] as const) {
    const ring = makeRing(8, POOLS);
    const w = new FrameWriter(ring, { atomicWord: wm, initialSeq: 2 ** 31 - 3 });
    const r = new FrameReader(ring, { atomicWord: rm });
    for (let i = 0; i < 20; i++) {
      const seq = publishPattern(w, 50) ?? assert.fail();
      assert.ok(r.read(seq) !== null);
    }
  }
});

test('the geometry is checked once, up front', () => {
  const ok = makeRing(4, POOLS);
  assert.throws(() => new FrameReader({ ...ok, nslots: 3 }), /power of two/);
  assert.throws(() => new FrameReader({ ...ok, nslots: 8 }), /header ring bytes/);
  assert.throws(() => new FrameWriter({ ...ok, pools: [] }), /at least one/);
  assert.throws(() => new FrameWriter({ ...ok, pools: [{ poolId: 1, strideBytes: 96, region: { bytes: new Uint8Array(1000) } }] }), /stride 96/);
  assert.throws(() => new FrameWriter({ ...ok, pools: [...ok.pools, ...ok.pools] }), /twice/);
  const odd = new Uint8Array(new SharedArrayBuffer(64 + 4 * 256 + 4), 4);
  assert.throws(() => new FrameReader({ ...ok, header: { bytes: odd, words: ok.header.words } }), /aligned/);
  assert.throws(() => new FrameReader(ok).read(-1), /seq/);
  assert.throws(() => new FrameReader(ok).read(1.5), /seq/);
  assert.equal(payloadBytes(ok, 0, 0).length, 256);
});
