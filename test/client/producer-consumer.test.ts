/**
 * Producer and Consumer (issue 6) over real mapped files: an embedded Driver on the real
 * FsShmBackend in a temp dir behind the in-process transport, so the regions are real files
 * mapped with mapRegion. Time is a ManualScheduler shared with the driver's clock; frames move
 * only when the test pumps the transport (no sleeps).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Consumer, Producer, ManualScheduler, type ConsumerMode } from '../../src/client/index.js';
import { crc32, fillPattern, verifyPattern, type Frame } from '../../src/data/index.js';
import { loadConfig } from '../../src/driver/config/index.js';
import type { DriverConfig } from '../../src/driver/config/driver-config.js';
import { Driver } from '../../src/driver/driver.js';
import { FsShmBackend } from '../../src/driver/fs-shm-backend.js';
import { Outbox } from '../../src/driver/outbox.js';
import type { ProvisionedEpoch } from '../../src/driver/shm-backend.js';
import { parseRegionUri, ShmMapError } from '../../src/shm/index.js';
import type { ControlConnection } from '../../src/transport/control-connection.js';
import { InProcessTransport, type InProcessConnection } from '../../src/transport/index.js';
import { seededRandom, turn } from './client-env.js';
import { ScriptedConnection, attachResponse } from './scripted-connection.js';

const base = mkdtempSync(join(tmpdir(), 'tp-pc-'));
after(() => rmSync(base, { recursive: true, force: true }));

function config(ns: string): DriverConfig {
  return loadConfig({
    toml: `
[shm]
base_dir = "${base}"
namespace = "${ns}"
[policies]
announce_period_ms = 1000
[profiles.p]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }, { pool_id = 2, stride_bytes = 65536 }]
[streams.s]
stream_id = 10000
profile = "p"
`,
    env: { USER: 'tester' },
  });
}

let nsCounter = 0;

class ShmEnv {
  readonly sched = new ManualScheduler(5_000);
  readonly transport = new InProcessTransport();
  readonly config = config(`ns${nsCounter++}`);
  readonly driver = new Driver({ config: this.config, shm: new FsShmBackend(this.config, { user: 'tester' }), sink: this.transport, clock: () => this.sched.now() * 1e6 }).start();
  readonly connections: InProcessConnection[] = [];
  private seed = 1;
  constructor() {
    this.transport.bind(this.driver);
  }
  readonly connect = async (): Promise<ControlConnection> => {
    const c = this.transport.connect();
    this.connections.push(c);
    return c;
  };
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      const n = this.transport.pump();
      await turn();
      quiet = n === 0 ? quiet + 1 : 0;
    }
  }
  /** close() waits for the detach response, which the transport delivers when pumped. */
  async close(x: Producer | Consumer): Promise<void> {
    const done = x.close();
    await this.settle();
    await done;
  }
  async producer(): Promise<Producer> {
    const p = Producer.open({ connect: this.connect, streamId: 10000, allowedBaseDirs: [base], scheduler: this.sched, clientOptions: { random: seededRandom(this.seed++) } });
    await this.settle();
    return p;
  }
  async consumer(mode: ConsumerMode = 'event'): Promise<Consumer> {
    const c = Consumer.open({ connect: this.connect, streamId: 10000, allowedBaseDirs: [base], mode, scheduler: this.sched, clientOptions: { random: seededRandom(this.seed++) } });
    await this.settle();
    return c;
  }
}

interface Seen {
  seq: number;
  epoch: bigint;
  bytes: number;
  crc: number;
  patternOk: boolean;
  shape: number[];
  dtype: string;
}

function record(f: Frame): Seen {
  return { seq: f.seq, epoch: f.epoch, bytes: f.valuesLenBytes, crc: crc32(f.bytes), patternOk: verifyPattern(f.bytes, f.seq) === -1, shape: Array.from(f.shape), dtype: f.dtypeName };
}

function patternFrame(seq: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  fillPattern(b, seq);
  return b;
}

describe('Producer → Consumer over real shared memory (issue 6)', { timeout: 10_000 }, () => {
  test('event mode: frames arrive intact and in order when the consumer keeps up (woken by relayed FrameDescriptors)', async () => {
    const env = new ShmEnv();
    const producer = await env.producer();
    const consumer = await env.consumer('event');
    assert.equal(consumer.epoch, producer.epoch);
    const seen: Seen[] = [];
    consumer.onFrame((f) => seen.push(record(f)));
    for (let seq = 0; seq < 20; seq++) {
      const n = seq % 2 === 0 ? 128 : 5000; // both pools (§4 rule 6: smallest fitting)
      assert.equal(producer.publish(patternFrame(seq, n), { shape: [n], dtype: 'UINT8' }), seq);
      await env.settle();
      assert.equal(seen.length, seq + 1, `frame ${seq} delivered on its descriptor`);
    }
    assert.deepEqual(seen.map((s) => s.seq), [...Array(20).keys()]);
    assert.ok(seen.every((s) => s.patternOk && s.epoch === producer.epoch && s.dtype === 'UINT8'));
    assert.equal(env.driver.counters.frameDescriptorsRelayed, 20);
    const c = consumer.counters;
    assert.equal(c.framesRead, 20);
    assert.equal(c.framesOverwritten + c.framesTorn + c.framesInvalid, 0);
    await env.close(consumer);
    await env.close(producer);
  });

  test('poll mode and the async iterator: claim/commit frames with a 2-D shape, read in order, stillValid until overwritten', async () => {
    const env = new ShmEnv();
    const producer = await env.producer();
    const consumer = await env.consumer('poll');
    const it = consumer[Symbol.asyncIterator]();
    for (let seq = 0; seq < 5; seq++) {
      const claim = producer.claim(12 * 10);
      assert.ok(claim !== null);
      fillPattern(claim.payload, seq);
      assert.equal(producer.commit(claim, { dtype: 'UINT8', shape: [12, 10] }), seq);
      const r = await it.next(); // polls: no descriptor needed
      assert.equal(r.done, false);
      const f = r.value as Frame;
      assert.equal(f.seq, seq);
      assert.deepEqual(Array.from(f.shape), [12, 10]);
      assert.equal(verifyPattern(f.bytes, seq), -1);
      assert.ok(f.stillValid());
    }
    // A read pending before the frame exists completes when it is published (the spin loop).
    const pending = it.next();
    producer.publish(patternFrame(5, 64), { shape: [8, 8], dtype: 'UINT8' });
    const r = await pending;
    assert.equal((r.value as Frame).seq, 5);
    const kept = r.value as Frame;
    for (let s = 6; s < 6 + 8; s++) producer.publish(patternFrame(s, 64), { shape: [64], dtype: 'UINT8' });
    assert.equal(kept.stillValid(), false, 'slot reused by seq 13');
    // Oversized frames are dropped and counted, never blocking.
    assert.equal(producer.publish(new Uint8Array(65537)), null);
    assert.equal(producer.counters.framesDroppedOversize, 1);
    const ended = it.return?.();
    await env.settle();
    await ended;
    assert.equal((await it.next()).done, true);
    await env.close(producer);
  });

  test('onFrame delivers frames already in the ring only after it returns, so the callback can stop itself', async () => {
    const env = new ShmEnv();
    const producer = await env.producer();
    for (let s = 0; s < 4; s++) producer.publish(patternFrame(s, 32), { shape: [32], dtype: 'UINT8' });
    await env.settle();
    const consumer = await env.consumer('event'); // maps after the frames were committed
    const seen: number[] = [];
    const stop = consumer.onFrame((f) => {
      seen.push(f.seq);
      if (seen.length === 2) stop();
    });
    assert.deepEqual(seen, []);
    await turn();
    assert.deepEqual(seen, [0, 1]);
    assert.equal((await consumer.read())?.seq, 2, 'the iterator continues where the callback stopped');
    await env.close(consumer);
    await env.close(producer);
  });

  test('REVOKE-06 case 2, EPOCH-02/07: producer detach → consumer unmaps; new producer → new epoch mapped, seq restarts at 0, frames continue', async () => {
    const env = new ShmEnv();
    const p1 = await env.producer();
    const consumer = await env.consumer('event');
    const events: string[] = [];
    consumer.on('mapped', (e) => events.push(`mapped ${e === p1.epoch ? 'E1' : 'new'}`));
    consumer.on('unmapped', (_e, why) => events.push(`unmapped ${why}`));
    const seen: Seen[] = [];
    consumer.onFrame((f) => seen.push(record(f)));
    for (let s = 0; s < 3; s++) p1.publish(patternFrame(s, 100), { shape: [100], dtype: 'UINT8' });
    await env.settle();
    const e1 = p1.epoch as bigint;
    await env.close(p1);
    // The producer's revoke unmapped at once; the epoch-bumped announce (EPOCH-01b) is mapped.
    assert.deepEqual(events, ['unmapped producer-revoked', 'mapped new']);
    const e2 = consumer.epoch as bigint;
    assert.ok(e2 > e1);
    const p2 = await env.producer();
    const e3 = p2.epoch as bigint;
    assert.ok(e3 > e2, 'a producer attach provisions its own epoch (EPOCH-01a)');
    await env.settle();
    assert.equal(consumer.epoch, e3);
    for (let s = 0; s < 3; s++) assert.equal(p2.publish(patternFrame(s, 300), { shape: [3, 100], dtype: 'UINT8' }), s);
    await env.settle();
    assert.deepEqual(seen.map((x) => [x.seq, x.epoch === e1 ? 'E1' : x.epoch === e3 ? 'E3' : '?']), [[0, 'E1'], [1, 'E1'], [2, 'E1'], [0, 'E3'], [1, 'E3'], [2, 'E3']]);
    assert.ok(seen.every((x) => x.patternOk));
    assert.deepEqual(events.slice(2), ['unmapped epoch-changed', 'mapped new']);
    assert.equal(consumer.counters.remaps, 2);
    await env.close(consumer);
    await env.close(p2);
  });

  test('EPOCH-07, fail closed: a producer whose connection drops stops publishing, unmaps, and remaps after its reattach with seq 0', async () => {
    const env = new ShmEnv();
    const producer = await env.producer();
    const consumer = await env.consumer('event');
    const seen: Seen[] = [];
    consumer.onFrame((f) => seen.push(record(f)));
    producer.publish(patternFrame(0, 10), { shape: [10], dtype: 'UINT8' });
    producer.publish(patternFrame(1, 10), { shape: [10], dtype: 'UINT8' });
    await env.settle();
    const e1 = producer.epoch as bigint;
    env.connections[0]?.close(); // the producer's connection: the driver revokes its lease (EXPIRED)
    assert.equal(producer.ready, false);
    assert.equal(producer.publish(patternFrame(2, 10), { shape: [10], dtype: 'UINT8' }), null);
    assert.equal(producer.counters.framesDroppedUnmapped, 1);
    // Backoff then reattach: advance the manual clock until the new lease is mapped.
    for (let i = 0; i < 100 && !producer.ready; i++) {
      env.sched.advance(10);
      env.driver.tick();
      await env.settle();
    }
    assert.equal(producer.ready, true);
    assert.ok((producer.epoch as bigint) > e1);
    assert.equal(producer.nextSeq, 0);
    await env.settle();
    assert.equal(consumer.epoch, producer.epoch);
    producer.publish(patternFrame(0, 10), { shape: [10], dtype: 'UINT8' });
    await env.settle();
    assert.deepEqual(seen.map((x) => x.seq), [0, 1, 0]);
    assert.equal(seen[2]?.epoch, producer.epoch);
    assert.equal(producer.counters.remaps, 1);
    await env.close(consumer);
    await env.close(producer);
  });
});

describe('hostile attach responses and announces are never mapped (SHM_LAYOUT §10.1, §7.1, §7.6)', { timeout: 10_000 }, () => {
  // Real, valid files to point at: one epoch provisioned by the real backend.
  const cfg = config('hostile');
  const backend = new FsShmBackend(cfg, { user: 'tester' });
  const profile = cfg.profiles.get('p');
  if (profile === undefined) throw new Error('profile');
  const good: ProvisionedEpoch = backend.provision(10000, 7n, profile, 5_000_000_000);
  const poolsOf = (e: ProvisionedEpoch, stride?: number) => e.pools.map((p) => ({ poolId: p.poolId, nslots: p.nslots, stride: stride ?? p.strideBytes, uri: p.uri }));
  const hostileDir = join(base, 'hostile-files');
  mkdirSync(hostileDir, { recursive: true });

  async function openWith(shape: Parameters<typeof attachResponse>[1]): Promise<{ result: Promise<Consumer>; conn: ScriptedConnection; sched: ManualScheduler }> {
    const sched = new ManualScheduler(5_000);
    const conn = new ScriptedConnection();
    const result = Consumer.open({ connect: async () => conn, streamId: 10000, allowedBaseDirs: [base], scheduler: sched, clientOptions: { random: seededRandom(3) } });
    for (let i = 0; i < 5 && conn.attaches().length === 0; i++) await turn();
    conn.inject(attachResponse(conn.lastAttachCid(), shape));
    return { result, conn, sched };
  }

  async function rejected(shape: Parameters<typeof attachResponse>[1]): Promise<ShmMapError> {
    const { result } = await openWith(shape);
    const error = await result.then(
      () => assert.fail('mapped a hostile region'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ShmMapError, String(error));
    return error;
  }

  const header = { epoch: 7n, headerNslots: 8 };

  test('path outside the allowed base dir → CONTAINMENT', async () => {
    const e = await rejected({ ...header, headerUri: 'shm:file?path=/etc/passwd', pools: poolsOf(good) });
    assert.equal(e.check, 'CONTAINMENT');
  });

  test('a symlink (to a valid header) → CONTAINMENT', async () => {
    const link = join(hostileDir, 'link.ring');
    symlinkSync(parseRegionUri(good.header.uri).path, link);
    const e = await rejected({ ...header, headerUri: `shm:file?path=${link}`, pools: poolsOf(good) });
    assert.equal(e.check, 'CONTAINMENT');
  });

  test('a FIFO → FILE_TYPE, never opened', async () => {
    const fifo = join(hostileDir, 'fifo.ring');
    execFileSync('mkfifo', [fifo]);
    const e = await rejected({ ...header, headerUri: `shm:file?path=${fifo}`, pools: poolsOf(good) });
    assert.equal(e.check, 'FILE_TYPE');
  });

  test('wrong sizes: more slots than the file holds, a larger stride, a short file → SIZE; a smaller stride → superblock mismatch', async () => {
    assert.equal((await rejected({ epoch: 7n, headerNslots: 16, headerUri: good.header.uri, pools: poolsOf(good).map((p) => ({ ...p, nslots: 16 })) })).check, 'SIZE');
    assert.equal((await rejected({ ...header, headerUri: good.header.uri, pools: poolsOf(good, 131072) })).check, 'SIZE');
    const short = join(hostileDir, 'short.ring');
    writeFileSync(short, new Uint8Array(100));
    assert.equal((await rejected({ ...header, headerUri: `shm:file?path=${short}`, pools: poolsOf(good) })).check, 'SIZE');
    const e = await rejected({ ...header, headerUri: good.header.uri, pools: poolsOf(good, 2048) });
    assert.notEqual(e.check, 'SIZE');
  });

  test('a valid grant maps; a later announce of a higher epoch naming hostile paths unmaps the old epoch and maps nothing', async () => {
    const { result, conn, sched } = await openWith({ ...header, headerUri: good.header.uri, pools: poolsOf(good) });
    const consumer = await result;
    assert.equal(consumer.epoch, 7n);
    const failures: Error[] = [];
    consumer.on('map-failed', (e) => failures.push(e));
    const bogus: ProvisionedEpoch = { ...good, epoch: 8n, header: { ...good.header, uri: 'shm:file?path=/etc/passwd' } };
    const announce: Uint8Array[] = [];
    new Outbox({ send: (_to, b, o, n) => void announce.push(b.slice(o, o + n)) }).poolAnnounce(sched.now() * 1e6, 1, 8, bogus);
    conn.inject(announce[0] as Uint8Array);
    assert.equal(consumer.epoch, null, 'fail closed: not reading the old epoch, not mapping the new one');
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof ShmMapError);
    assert.equal(consumer.counters.mapFailures, 1);
    assert.equal(consumer.tryRead(), null);
    await Promise.race([consumer.close(), (async () => { for (let i = 0; i < 10; i++) { sched.advance(1000); await turn(); } })()]);
  });
});
