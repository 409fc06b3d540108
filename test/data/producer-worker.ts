/**
 * Worker-thread producer for workers.test.ts: publishes frames with the verification pattern as
 * fast as it can into SharedArrayBuffer regions, until `frames` are out or the deadline passes.
 * Inert when loaded on the main thread (node --test may load it as a module).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FrameWriter, fillPattern, type AtomicWordMode } from '../../src/data/index.js';
import { ringOver, type PoolSpec } from './ring-fixture.js';

export interface ProducerJob {
  readonly headerBuffer: SharedArrayBuffer;
  readonly poolBuffers: readonly SharedArrayBuffer[];
  readonly nslots: number;
  readonly pools: readonly PoolSpec[];
  readonly mode: AtomicWordMode;
  readonly frames: number;
  readonly frameBytes: readonly number[];
  readonly deadlineMs: number;
  /** [0] = frames published so far, [1] = 1 when done. */
  readonly control: SharedArrayBuffer;
}

if (parentPort !== null) {
  const job = workerData as ProducerJob;
  const ring = ringOver(job.headerBuffer, job.poolBuffers, job.nslots, job.pools);
  const w = new FrameWriter(ring, { atomicWord: job.mode });
  const control = new Int32Array(job.control);
  const deadline = Date.now() + job.deadlineMs;
  const shape = [0];
  let sizeIndex = 0;
  for (let i = 0; i < job.frames; i++) {
    const bytes = job.frameBytes[sizeIndex] ?? 1;
    sizeIndex = sizeIndex + 1 === job.frameBytes.length ? 0 : sizeIndex + 1;
    const c = w.claim(bytes);
    if (c === null) throw new Error(`no pool for ${bytes} bytes`);
    fillPattern(c.payload, c.seq);
    shape[0] = bytes;
    w.commit(c, { dtype: 'UINT8', shape });
    Atomics.store(control, 0, i + 1);
    if ((i & 255) === 0 && Date.now() > deadline) break;
  }
  Atomics.store(control, 1, 1);
  parentPort.postMessage({ published: w.framesPublished });
}
