/**
 * One side of a data-plane bench pair (`npm run bench -- data`), run as its own process so that
 * producer and consumer are two processes as issue 6 asks. Prints `{"event":"ready"}` once it
 * can take frames and one `{"event":"result",…}` JSON line at the end; the parent waits for
 * lines, never sleeps.
 *
 *   --role producer|consumer --transport shm|socket --bytes N
 *   shm:    --channel unix:<path> --base-dir DIR --stream N [--mode poll|event]
 *   socket: --socket PATH (the consumer listens, the producer connects)
 *   throughput: the consumer measures --duration-ms from its first frame; the producer sends
 *               as fast as it can until stdin ends
 *   latency:    --latency N: the producer stamps the monotonic clock (process.hrtime, the same
 *               CLOCK_MONOTONIC in every process of the host) into the first 8 payload bytes of
 *               N paced frames; the consumer reports receive − send percentiles
 *
 * The consumer touches every byte of every frame: a sum over the payload as float64 values
 * (touch.ts), then `stillValid()`; frames overwritten while being read are not counted.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Consumer } from '../../src/client/consumer.js';
import { Producer } from '../../src/client/producer.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { benchPayload, touch } from './touch.js';

const { values } = parseArgs({
  strict: true,
  options: {
    role: { type: 'string' },
    transport: { type: 'string', default: 'shm' },
    bytes: { type: 'string', default: '655360' },
    channel: { type: 'string' },
    'base-dir': { type: 'string' },
    stream: { type: 'string', default: '10000' },
    mode: { type: 'string', default: 'poll' },
    socket: { type: 'string' },
    'duration-ms': { type: 'string', default: '3000' },
    latency: { type: 'string', default: '0' },
  },
});

const BYTES = Number(values.bytes);
const WORDS = BYTES >>> 3;
const DURATION_MS = Number(values['duration-ms']);
const LATENCY_FRAMES = Number(values.latency);
/** Paced at ~1 kHz so latency is the path's, not a queue's. */
const LATENCY_PERIOD_MS = 1;

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

const nowNs = (): number => Number(process.hrtime.bigint());

/** Stops when stdin ends (the parent closes it, or dies). */
let stopped = false;
process.stdin.on('end', () => (stopped = true));
process.stdin.on('close', () => (stopped = true));
process.stdin.resume();

/** Throughput window from the first counted frame; `add` returns true when the window is over. */
class Window {
  frames = 0;
  private t0 = 0;
  private sink = 0;
  add(x: number): boolean {
    this.sink ^= x;
    if (this.frames++ === 0) this.t0 = performance.now();
    return performance.now() - this.t0 >= DURATION_MS;
  }
  result(): Record<string, unknown> {
    const seconds = (performance.now() - this.t0) / 1000;
    const fps = (this.frames - 1) / seconds;
    return { frames: this.frames, seconds, framesPerSec: fps, gibPerSec: (fps * BYTES) / 2 ** 30, sink: this.sink };
  }
}

/** receive − send in ns, one per frame. */
class Latencies {
  readonly ns = new Float64Array(LATENCY_FRAMES);
  n = 0;
  add(sentNs: number): boolean {
    if (this.n < this.ns.length) this.ns[this.n++] = nowNs() - sentNs;
    return this.n >= this.ns.length;
  }
  result(): Record<string, unknown> {
    // The first 10% warm up the JIT and the wake-up path.
    const s = Array.from(this.ns.subarray(Math.floor(this.n / 10), this.n)).sort((a, b) => a - b);
    const at = (q: number): number => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN) / 1000;
    return { samples: s.length, p50Us: at(0.5), p99Us: at(0.99), maxUs: at(1) };
  }
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A detach the driver never answers must not hold the bench up (the timer also keeps the loop alive). */
function closeWithin(closing: Promise<void>): Promise<void> {
  return Promise.race([closing, sleep(2000)]);
}

async function shmProducer(): Promise<void> {
  const baseDir = values['base-dir'] ?? '';
  const producer = await Producer.open({ connect: () => connectUnix(values.channel ?? ''), streamId: Number(values.stream), allowedBaseDirs: [baseDir] });
  const src = benchPayload(WORDS);
  const stamp = src.subarray(0, 1);
  const layout = { shape: [WORDS] };
  emit('ready');
  let published = 0;
  const t0 = performance.now();
  while (!stopped) {
    if (LATENCY_FRAMES > 0) stamp[0] = nowNs();
    if (producer.publish(src, layout) !== null) published++;
    if (LATENCY_FRAMES > 0) await sleep(LATENCY_PERIOD_MS);
    // Yield now and then so keepalives and the descriptors' socket writes run.
    else if ((published & 7) === 0) await yieldNow();
  }
  emit('result', { published, seconds: (performance.now() - t0) / 1000 });
  await closeWithin(producer.close());
}

async function shmConsumer(): Promise<void> {
  const baseDir = values['base-dir'] ?? '';
  const mode = values.mode === 'event' ? 'event' : 'poll';
  const consumer = await Consumer.open({ connect: () => connectUnix(values.channel ?? ''), streamId: Number(values.stream), allowedBaseDirs: [baseDir], mode });
  const win = new Window();
  const lat = new Latencies();
  let discarded = 0;
  emit('ready');
  await new Promise<void>((resolve) => {
    const stop = consumer.onFrame((f) => {
      const data = f.data;
      if (!(data instanceof Float64Array)) return;
      const sent = LATENCY_FRAMES > 0 ? (data[0] ?? 0) : 0;
      const x = touch(data, data.length);
      if (!f.stillValid()) {
        discarded++;
        return;
      }
      if (LATENCY_FRAMES > 0 ? lat.add(sent) : win.add(x)) {
        stop();
        resolve();
      }
    });
  });
  const c = consumer.counters;
  emit('result', { ...(LATENCY_FRAMES > 0 ? lat.result() : win.result()), discarded, overwritten: c.framesOverwritten, torn: c.framesTorn });
  await closeWithin(consumer.close());
}

/** Length-prefixed frames: a u32 LE length, then the bytes (one write per frame). */
async function socketProducer(): Promise<void> {
  const sock = createConnection(values.socket ?? '');
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  // The consumer closes its end when its window is over: stop rather than wait for a drain.
  sock.on('error', () => (stopped = true));
  sock.on('close', () => (stopped = true));
  const frame = Buffer.alloc(4 + BYTES);
  frame.writeUInt32LE(BYTES, 0);
  for (let i = 4; i < frame.length; i++) frame[i] = i & 0xff;
  emit('ready');
  let sent = 0;
  while (!stopped) {
    if (!sock.write(frame)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          sock.off('drain', done).off('close', done);
          resolve();
        };
        sock.once('drain', done).once('close', done);
      });
    }
    sent++;
  }
  sock.destroy();
  emit('result', { sent });
}

/**
 * Reassembles frames into one preallocated buffer (what a careful Node user does; Buffer.concat
 * would be slower) and touches every byte of each completed frame the same way as shm.
 */
async function socketConsumer(): Promise<void> {
  const frame = new Uint8Array(BYTES);
  const words = new Float64Array(frame.buffer);
  const header = new Uint8Array(4);
  let headerHave = 0;
  let want = 0;
  let have = 0;
  const win = new Window();
  const done = new Promise<Socket>((resolve) => {
    const server = createServer((sock) => {
      server.close();
      sock.on('data', (chunk: Buffer) => {
        let o = 0;
        while (o < chunk.length) {
          if (want === 0) {
            const n = Math.min(4 - headerHave, chunk.length - o);
            header.set(chunk.subarray(o, o + n), headerHave);
            headerHave += n;
            o += n;
            if (headerHave === 4) {
              want = (header[0] ?? 0) | ((header[1] ?? 0) << 8) | ((header[2] ?? 0) << 16) | ((header[3] ?? 0) << 24);
              headerHave = 0;
              have = 0;
            }
            continue;
          }
          const n = Math.min(want - have, chunk.length - o);
          frame.set(chunk.subarray(o, o + n), have);
          have += n;
          o += n;
          if (have === want) {
            want = 0;
            if (win.add(touch(words, WORDS))) {
              sock.pause();
              resolve(sock);
              return;
            }
          }
        }
      });
    });
    server.listen(values.socket ?? '', () => emit('ready'));
  });
  const sock = await done;
  emit('result', win.result());
  sock.destroy();
}

const role = `${values.transport}-${values.role}`;
const run = { 'shm-producer': shmProducer, 'shm-consumer': shmConsumer, 'socket-producer': socketProducer, 'socket-consumer': socketConsumer }[role];
if (run === undefined) {
  process.stderr.write(`data-peer: unknown --transport/--role ${role}\n`);
  process.exit(64);
}
run().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`data-peer ${role}: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
