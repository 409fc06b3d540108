/**
 * `npm run bench -- data` (issue 6): the data plane between two processes, against the two
 * baselines the issue names, all measured in this one run.
 *
 * 1. Throughput, 640 KiB frames: a producer process publishing as fast as it can and a consumer
 *    process (poll mode) that touches every byte of every frame (a sum of the payload as
 *    float64 values, touch.ts, then stillValid(); frames overwritten mid-read are not counted), over a `tensorpool
 *    driver` child process with its regions under /dev/shm. Frames/s and GiB/s as the consumer
 *    counts them. Baselines: (a) single-thread memcpy of the same size here
 *    (`Uint8Array.prototype.set`, best of 5 rounds); (b) the same two kinds of processes sending
 *    length-prefixed 640 KiB frames over a Unix socket, the consumer reassembling each into a
 *    preallocated buffer and touching every byte the same way. Musts: >= 5x the socket path,
 *    >= 0.5x memcpy.
 * 2. One-way latency, 1 KiB frames at ~1 kHz: the producer writes process.hrtime (CLOCK_MONOTONIC,
 *    the same clock in every process of the host) into the first payload bytes; the consumer
 *    takes receive − send. Poll mode (the consumer spins) and event mode (woken by the
 *    FrameDescriptor the driver relays).
 * 3. Bytes allocated per frame on publish and on read, in this process (GCProfiler, as
 *    bench/lib/measure.ts) with a real Producer and Consumer on the driver's mapped regions.
 *
 * Children are killed in `finally`; every wait has a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Consumer } from '../../src/client/consumer.js';
import { Producer } from '../../src/client/producer.js';
import { FrameDescriptorEncoder } from '../../src/sbe/index.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { allocatedPerOp, measure, printTable, type Loop } from '../lib/measure.js';
import type { SuiteResult } from '../run.js';
import { benchPayload, touch } from './touch.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const PEER = fileURLToPath(new URL('./data-peer.js', import.meta.url));

const BIG = 640 * 1024;
const SMALL = 1024;
const STREAM_BIG = 10000;
const STREAM_SMALL = 10001;
const THROUGHPUT_MS = 3000;
const LATENCY_FRAMES = 2000;

/** 64 × 1 MiB slots for 640 KiB frames (a 64 MiB ring), 256 × 4 KiB for 1 KiB frames. */
const BENCH_TOML = `
[driver]
instance_id = "databench"
[policies]
prefault_shm = true
announce_period_ms = 1000
lease_keepalive_interval_ms = 1000
lease_expiry_grace_intervals = 30
[profiles.big]
header_nslots = 64
payload_pools = [{ pool_id = 1, stride_bytes = 1048576 }]
[profiles.small]
header_nslots = 256
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }]
[streams.big]
stream_id = ${STREAM_BIG}
profile = "big"
[streams.small]
stream_id = ${STREAM_SMALL}
profile = "small"
`;

interface Child {
  readonly child: ChildProcess;
  readonly name: string;
  next(test: (line: string) => boolean, ms: number, what: string): Promise<string>;
  stderr(): string;
}

function spawnChild(name: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let exited = false;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    lines.push(l);
    wake?.();
  });
  // 'close', not 'exit': the last stdout lines are read before the streams close.
  child.once('close', () => {
    exited = true;
    wake?.();
  });
  let read = 0;
  return {
    child,
    name,
    stderr: () => err,
    async next(test, ms, what) {
      const deadline = Date.now() + ms;
      for (;;) {
        while (read < lines.length) {
          const l = lines[read++] as string;
          if (test(l)) return l;
        }
        if (exited) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}; last lines ${JSON.stringify(lines.slice(-3))}: ${err.trim()}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what} from ${name}: ${err.trim()}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    },
  };
}

const isEvent = (event: string) => (l: string): boolean => l.startsWith(`{"event":"${event}"`);

async function result(c: Child, ms: number): Promise<Record<string, number>> {
  return JSON.parse(await c.next(isEvent('result'), ms, 'its result')) as Record<string, number>;
}

function stop(c: Child): void {
  c.child.stdin?.end();
}

function kill(c: Child | undefined): void {
  if (c !== undefined && c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

/** A consumer and then a producer peer; the consumer's result, after which the producer stops. */
async function pair(common: readonly string[], consumerArgs: readonly string[], ms: number, producerArgs: readonly string[] = []): Promise<{ consumer: Record<string, number>; producer: Record<string, number> }> {
  let consumer: Child | undefined;
  let producer: Child | undefined;
  try {
    consumer = spawnChild('consumer', [PEER, '--role', 'consumer', ...common, ...consumerArgs]);
    await consumer.next(isEvent('ready'), 10_000, 'ready');
    producer = spawnChild('producer', [PEER, '--role', 'producer', ...common, ...producerArgs]);
    await producer.next(isEvent('ready'), 10_000, 'ready');
    const r = await result(consumer, ms);
    stop(producer);
    return { consumer: r, producer: await result(producer, 10_000) };
  } finally {
    kill(consumer);
    kill(producer);
  }
}

const gib = (bytesPerSec: number): number => bytesPerSec / 2 ** 30;

/**
 * Bytes allocated per frame: the least of five passes (one-off JIT work shows in one). Between
 * passes the event loop runs for 20 ms, as it does between a real producer's frames: a
 * synchronous loop never lets the socket report that the driver has read, so without the pause
 * every pass after a full socket buffer would measure the backpressure path, not the steady state.
 */
async function leastAllocated(loop: Loop, n: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The measurement's own allocation (heap statistics, GC profiler: up to ~10 KB a pass) is
    // an empty loop measured the same way, subtracted.
    const noise = allocatedPerOp(() => undefined, n).bytesPerOp;
    best = Math.min(best, Math.max(0, allocatedPerOp(loop, n).bytesPerOp - noise));
  }
  return best;
}

async function allocation(channel: string, dir: string): Promise<{ publish: number; read: number; descriptorSend: number }> {
  const connect = (): ReturnType<typeof connectUnix> => connectUnix(channel);
  const producer = await Producer.open({ connect, streamId: STREAM_BIG, allowedBaseDirs: [dir] });
  const consumer = await Consumer.open({ connect, streamId: STREAM_BIG, allowedBaseDirs: [dir], mode: 'poll' });
  try {
    // The consumer maps the producer's epoch when the announce arrives.
    const deadline = Date.now() + 5000;
    while (consumer.epoch !== producer.epoch && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (consumer.epoch !== producer.epoch) throw new Error('the in-process consumer never mapped the producer epoch');
    const src = benchPayload(BIG / 8);
    const layout = { shape: [BIG / 8] };
    let sink = 0;
    const publish: Loop = (n) => {
      for (let i = 0; i < n; i++) producer.publish(src, layout);
    };
    // Publish one, read it back (touching one word and re-checking), so reads always find a frame.
    const publishRead: Loop = (n) => {
      for (let i = 0; i < n; i++) {
        producer.publish(src, layout);
        const f = consumer.tryRead();
        if (f !== null) {
          sink ^= f.data[0] as number;
          if (!f.stillValid()) sink++;
        }
      }
    };
    // Warm-up until both loops run optimised code (interpreted and baseline code box numbers, so
    // a few hundred calls measure V8's tiers, not the code): ~30,000 frames in bursts, with pauses
    // for the concurrent compiler and for the driver to read the descriptors (as
    // test/data/allocation.test.ts does). Then drain, so every read in the loop is a fresh frame.
    for (let round = 0; round < 6; round++) {
      for (let burst = 0; burst < 10; burst++) {
        publish(250);
        publishRead(250);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    while (consumer.tryRead() !== null);
    const pub = await leastAllocated(publish, 1000);
    // What of publish is the FrameDescriptor's socket write: the same 48 bytes through
    // DriverClient.sendFrame alone (a stale seq the consumer ignores).
    const descriptor = new Uint8Array(48);
    const n = new FrameDescriptorEncoder().wrapAndApplyHeader(descriptor).streamId(STREAM_BIG).epoch(producer.epoch ?? 0n).seqNumber(0).finish();
    const sendOnly = descriptor.subarray(0, n);
    const descriptorSend = await leastAllocated((k) => {
      for (let i = 0; i < k; i++) producer.client.sendFrame(sendOnly);
    }, 1000);
    while (consumer.tryRead() !== null);
    const both = await leastAllocated(publishRead, 1000);
    if (sink === -1) console.log('');
    return { publish: pub, read: Math.max(0, both - pub), descriptorSend };
  } finally {
    await consumer.close();
    await producer.close();
  }
}

export async function run(): Promise<SuiteResult> {
  const shmRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(shmRoot, 'tp-databench-'));
  let driver: Child | undefined;
  try {
    const toml = join(dir, 'bench.toml');
    writeFileSync(toml, BENCH_TOML);
    driver = spawnChild('driver', [CLI, 'driver', '--config', toml, '--log-level', 'warn', '--set', `shm.base_dir=${dir}`, '--set', `shm.allowed_base_dirs=${dir}`, '--set', 'shm.namespace=databench']);
    const ready = await driver.next((l) => l.startsWith('tensorpool driver ready '), 15_000, 'the driver ready line');
    const channel = /channel=(\S+)/.exec(ready)?.[1];
    if (channel === undefined) throw new Error(`no channel in ${ready}`);
    const shmArgs = ['--transport', 'shm', '--channel', channel, '--base-dir', dir];

    // (a) memcpy of the same size, single thread, in this run.
    const a = new Uint8Array(BIG);
    const b = new Uint8Array(BIG);
    a.set(new Uint8Array(benchPayload(BIG / 8).buffer));
    const memcpy = measure('memcpy', (n) => {
      for (let i = 0; i < n; i++) b.set(a);
    }, { ops: 4000, rounds: 5, warmup: 1000, allocOps: 100 });
    const memcpyGiB = gib(memcpy.opsPerSec * BIG);
    // The consumer's own work per frame, with no transport at all: the ceiling of any JS
    // consumer that touches every byte, whatever carries the frames.
    const words = new Float64Array(a.buffer);
    let sink = 0;
    const touchOnly = measure('touch', (n) => {
      for (let i = 0; i < n; i++) sink ^= touch(words, words.length);
    }, { ops: 1000, rounds: 5, warmup: 300, allocOps: 50 });
    const touchGiB = gib(touchOnly.opsPerSec * BIG);
    if (sink === 1) console.log('');

    const bigArgs = [...shmArgs, '--stream', String(STREAM_BIG), '--bytes', String(BIG), '--duration-ms', String(THROUGHPUT_MS)];
    const shm = await pair(bigArgs, ['--mode', 'poll'], THROUGHPUT_MS + 15_000);
    const sockPath = join(dir, 'baseline.sock');
    const sock = (await pair(['--transport', 'socket', '--socket', sockPath, '--bytes', String(BIG), '--duration-ms', String(THROUGHPUT_MS)], [], THROUGHPUT_MS + 15_000)).consumer;

    const latencyArgs = [...shmArgs, '--stream', String(STREAM_SMALL), '--bytes', String(SMALL), '--latency', String(LATENCY_FRAMES)];
    const poll = (await pair(latencyArgs, ['--mode', 'poll'], 20_000)).consumer;
    const event = (await pair(latencyArgs, ['--mode', 'event'], 20_000)).consumer;

    const alloc = await allocation(channel, dir);

    const sockGiB = sock['gibPerSec'] ?? 0;
    const f = (x: number | undefined, d = 2): string => (x ?? NaN).toFixed(d);
    const shmRow = (name: string, r: { consumer: Record<string, number>; producer: Record<string, number> }): string[] => {
      const g = r.consumer['gibPerSec'] ?? 0;
      return [name, f((r.producer['published'] ?? 0) / (r.producer['seconds'] ?? 1), 0), f(r.consumer['framesPerSec'], 0), f(g), `${f(g / sockGiB)}x`, `${f(g / memcpyGiB)}x`, '>= 5x, >= 0.5x', `${g / sockGiB >= 5 ? 'yes' : 'NO'}, ${g / memcpyGiB >= 0.5 ? 'yes' : 'NO'}`];
    };
    console.log(`\ndata plane: 640 KiB frames, producer and consumer processes, consumer touching every byte (${THROUGHPUT_MS} ms window)`);
    printTable(['path', 'published/s', 'frames/s', 'GiB/s', 'vs socket', 'vs memcpy', 'must', 'met'], [
      ['memcpy (Uint8Array.set, 1 thread)', '', f(memcpy.opsPerSec, 0), f(memcpyGiB), '', '1.00x', '', ''],
      ['unix socket, length-prefixed', '', f(sock['framesPerSec'], 0), f(sockGiB), '1.00x', `${f(sockGiB / memcpyGiB)}x`, '', ''],
      ['touch alone (the consumer\'s per-frame work, 1 thread, no transport)', '', f(touchOnly.opsPerSec, 0), f(touchGiB), `${f(touchGiB / sockGiB)}x`, `${f(touchGiB / memcpyGiB)}x`, '', ''],
      shmRow('tensorpool shm (consumer polling)', shm),
    ]);
    const c = shm.consumer;
    console.log(`  shm consumer: ${c['frames']} frames counted, ${c['discarded']} discarded (overwritten while read), ${c['overwritten']} lapped, ${c['torn']} torn`);
    console.log('\ndata plane: 1 KiB frames at ~1 kHz, one-way latency (producer stamp → consumer read, CLOCK_MONOTONIC)');
    printTable(['mode', 'samples', 'p50 µs', 'p99 µs', 'max µs'], [
      ['poll', f(poll['samples'], 0), f(poll['p50Us'], 1), f(poll['p99Us'], 1), f(poll['maxUs'], 1)],
      ['event (driver-relayed FrameDescriptor)', f(event['samples'], 0), f(event['p50Us'], 1), f(event['p99Us'], 1), f(event['maxUs'], 1)],
    ]);
    console.log('\ndata plane: bytes allocated per frame (640 KiB, in-process Producer/Consumer on the mapped regions)');
    printTable(['operation', 'bytes/frame', 'must', 'met'], [
      ['publish', f(alloc.publish, 1), '0', alloc.publish === 0 ? 'yes' : 'NO'],
      ['  of which the FrameDescriptor socket write', f(alloc.descriptorSend, 1), '', ''],
      ['read (tryRead + stillValid)', f(alloc.read, 1), '0', alloc.read === 0 ? 'yes' : 'NO'],
    ]);
    return {
      suite: 'data',
      results: { memcpy: { framesPerSec: memcpy.opsPerSec, gibPerSec: memcpyGiB }, socket: sock, touch: { framesPerSec: touchOnly.opsPerSec, gibPerSec: touchGiB }, shm, latency: { poll, event }, allocation: alloc },
    };
  } finally {
    if (driver !== undefined) {
      driver.child.kill('SIGTERM');
      kill(driver);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
