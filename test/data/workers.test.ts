/**
 * Two threads on one SharedArrayBuffer: a producer worker publishing pattern frames as fast as it
 * can into a small ring (heavy overwrite pressure), the main thread reading them with `poll()`.
 * Never a torn frame: every copy made by readInto verifies, and a zero-copy frame that fails
 * verification must no longer be `stillValid()`. Bounded by frame count and a deadline (< 5 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { FrameReader, verifyPattern, type AtomicWordMode } from '../../src/data/index.js';
import type { ProducerJob } from './producer-worker.js';
import { counters, makeRing } from './ring-fixture.js';

const WORKER = new URL('./producer-worker.js', import.meta.url);

async function run(mode: AtomicWordMode): Promise<void> {
  const nslots = 4;
  const pools = [{ poolId: 1, strideBytes: 4096 }, { poolId: 2, strideBytes: 32768 }];
  const ring = makeRing(nslots, pools);
  const control = new SharedArrayBuffer(8);
  const job: ProducerJob = {
    headerBuffer: ring.headerBuffer,
    poolBuffers: ring.poolBuffers,
    nslots,
    pools,
    mode,
    frames: 400_000,
    frameBytes: [4000, 20000, 1, 32768],
    deadlineMs: 1200,
    control,
  };
  const worker = new Worker(WORKER, { workerData: job });
  const exited = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exit ${code}`))));
  });
  const flags = new Int32Array(control);
  const r = new FrameReader(ring, { atomicWord: mode });
  const copy = new Uint8Array(32768);
  let copies = 0;
  let views = 0;
  let goneWhileUsed = 0;
  const deadline = Date.now() + 3000;
  let lastSeq = -1;
  // Busy-poll the main thread; the worker runs on the other core.
  while (Atomics.load(flags, 1) === 0 && Date.now() < deadline) {
    for (let k = 0; k < 64; k++) {
      const useCopy = (k & 1) === 0;
      const f = useCopy ? r.poll(copy) : r.poll();
      if (f === null) continue;
      assert.ok(f.seq > lastSeq, 'frames come in order');
      lastSeq = f.seq;
      if (useCopy) {
        const bad = verifyPattern(copy.subarray(0, f.valuesLenBytes), f.seq);
        assert.equal(bad, -1, `torn copy returned: seq ${f.seq} byte ${bad}`);
        copies++;
      } else {
        const bad = verifyPattern(f.bytes, f.seq);
        if (bad !== -1) {
          assert.equal(f.stillValid(), false, `torn zero-copy frame returned as valid: seq ${f.seq} byte ${bad}`);
          goneWhileUsed++;
        } else {
          views++;
        }
      }
    }
  }
  await exited;
  const published = Atomics.load(flags, 0);
  // Whatever is still in the ring now is stable: the last frame must read back intact.
  const last = r.read(published - 1) ?? assert.fail(`last frame unreadable: ${counters(r)}`);
  assert.equal(verifyPattern(last.bytes, last.seq), -1);
  const drops = r.framesOverwritten + r.framesTorn + r.framesInProgress;
  console.log(`${mode}: published ${published}, copies ${copies}, views ${views}, overwritten in use ${goneWhileUsed}, ${counters(r)}`);
  assert.ok(copies + views > 0, 'the consumer read frames');
  assert.equal(copies + views + goneWhileUsed + 1, r.framesRead, 'every returned frame was checked');
  assert.ok(drops > 0, 'the consumer was under overwrite pressure');
  assert.equal(r.framesInvalid, 0, 'a torn header is counted torn, never invalid');
}

test('worker producer, main-thread consumer, split32: never a torn frame', { timeout: 5000 }, () => run('split32'));
test('worker producer, main-thread consumer, bigint64: never a torn frame', { timeout: 5000 }, () => run('bigint64'));
