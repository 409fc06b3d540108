/**
 * `tensorpool produce` and `tensorpool consume` (issue 6) as real processes with a real driver:
 * the consumer attaches first (its "mapped" line on stderr is the synchronisation), the
 * producer then publishes 20 frames (its own epoch: the consumer remaps, EPOCH-02), and every
 * line the consumer prints must carry the CRC-32 of the pattern (seq * 31 + i) & 0xFF computed
 * here. Also the commands' usage errors and a missing driver.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32, crc32Hex, fillPattern } from '../../src/data/index.js';
import { tempBase, withTimeout } from '../transport/socket-harness.js';
import { MAIN, run, startDriver, type RunningDriver } from './cli-harness.js';

let base: { dir: string; cleanup: () => void };
let configFile: string;
const running: RunningDriver[] = [];

before(() => {
  base = tempBase();
  // 64 slots: 20 frames can never lap the consumer, so "in order, none dropped" does not
  // depend on how fast the consumer process is scheduled.
  configFile = join(base.dir, 'driver.toml');
  writeFileSync(
    configFile,
    `[driver]
instance_id = "pc"
[policies]
prefault_shm = false
announce_period_ms = 1000
[profiles.p]
header_nslots = 64
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }]
[streams.s]
stream_id = 10000
profile = "p"
`,
  );
});

after(() => {
  for (const d of running) d.child.kill('SIGKILL');
  base.cleanup();
});

function expectedCrc(seq: number, bytes: number): string {
  const b = new Uint8Array(bytes);
  fillPattern(b, seq);
  return crc32Hex(crc32(b));
}

interface Line {
  seq: number;
  epoch: string;
  dtype: string;
  shape: string;
  bytes: number;
  crc32: string;
}

describe('tensorpool produce / consume', { timeout: 10_000 }, () => {
  test('driver + produce --count 20 + consume --count 20 --json: 20 frames in order, every crc32 matches the pattern', async () => {
    const d = await startDriver(['--config', configFile, '--set', `shm.base_dir=${base.dir}`, '--set', 'shm.namespace=pc1']);
    running.push(d);
    const env = { ...process.env, SHM_BASE_DIR: base.dir };
    const consumer = spawn(process.execPath, [MAIN, 'consume', '--stream', '10000', '--count', '20', '--json', '--control', d.channel], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    consumer.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const mapped = new Promise<void>((resolve) =>
      consumer.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes(' mapped\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => consumer.once('close', (code) => resolve(code)));
    try {
      await withTimeout(mapped, 5000, 'the consumer attached and mapped');
      const produced = await run(['produce', '--stream', '10000', '--shape', '16,64', '--dtype', 'uint8', '--count', '20', '--rate', '500', '--control', d.channel], env);
      assert.equal(produced.code, 0, produced.stderr);
      assert.match(produced.stderr, /published=20 /);
      assert.equal(await withTimeout(exited, 5000, 'the consumer exit'), 0, err);
    } finally {
      consumer.kill('SIGKILL');
    }
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Line);
    assert.equal(lines.length, 20);
    assert.deepEqual(lines.map((l) => l.seq), [...Array(20).keys()]);
    for (const l of lines) {
      assert.deepEqual(Object.keys(l), ['seq', 'epoch', 'dtype', 'shape', 'bytes', 'crc32']);
      assert.equal(l.dtype, 'uint8');
      assert.equal(l.shape, '16,64');
      assert.equal(l.bytes, 1024);
      assert.equal(l.crc32, expectedCrc(l.seq, 1024), `frame ${l.seq}`);
      assert.equal(l.epoch, lines[0]?.epoch);
    }
    assert.match(err, /read=20 overwritten=0 torn=0 invalid=0/);
  });

  test('text lines have the documented form; a producer started first runs until SIGTERM and exits 0', async () => {
    const d = await startDriver(['--config', configFile, '--set', `shm.base_dir=${base.dir}`, '--set', 'shm.namespace=pc2']);
    running.push(d);
    const env = { ...process.env, SHM_BASE_DIR: base.dir };
    const producer = spawn(process.execPath, [MAIN, 'produce', '--stream', '10000', '--shape', '8', '--rate', '100', '--control', d.channel], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let perr = '';
    const mapped = new Promise<void>((resolve) =>
      producer.stderr.on('data', (b: Buffer) => {
        perr += b.toString();
        if (perr.includes(' mapped\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => producer.once('close', (code) => resolve(code)));
    try {
      await withTimeout(mapped, 5000, 'the producer attached and mapped');
      // The consumer maps the producer's epoch, reads what the ring still holds, then keeps up.
      const c = await run(['consume', '--stream', '10000', '--count', '3', '--mode', 'poll', '--control', d.channel], env);
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trim().split('\n');
      assert.equal(lines.length, 3);
      for (const line of lines) {
        const m = /^seq=(\d+) epoch=(\d+) dtype=uint8 shape=8 bytes=8 crc32=([0-9a-f]{8})$/.exec(line);
        assert.ok(m !== null, line);
        assert.equal(m[3], expectedCrc(Number(m[1]), 8));
      }
      producer.kill('SIGTERM');
      assert.equal(await withTimeout(exited, 5000, 'the producer exit'), 0, perr);
      assert.match(perr, /produce: published=\d+ droppedOversize=0/);
    } finally {
      producer.kill('SIGKILL');
    }
  });

  test('usage errors exit 2; no driver exits 1 with one line', async () => {
    for (const args of [['produce', '--shape', '4'], ['produce', '--stream', '1', '--shape', 'x'], ['produce', '--stream', '1', '--shape', '4', '--dtype', 'bogus'], ['consume'], ['consume', '--stream', '1', '--mode', 'spin']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const r = await run(['consume', '--stream', '10000', '--timeout', '300', '--control', `unix:${base.dir}/nobody.sock`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no lease within 300 ms/);
    const help = await run(['produce', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tensorpool produce --stream ID --shape/);
  });
});
