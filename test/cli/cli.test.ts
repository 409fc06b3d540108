/**
 * The `tensorpool` command as real processes: the driver's ready line, status from another
 * process, shutdown with the token, SIGTERM, bad configuration, inspect, and help/usage errors
 * with their exit codes (docs/cli.md).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeSuperblock } from '../../src/shm/superblock-io.js';
import { Dtype, MajorOrder, ProgressUnit, RegionType, SlotHeaderEncoder, TensorHeaderEncoder } from '../../src/sbe/index.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { FrameLog, tempBase, withTimeout } from '../transport/socket-harness.js';
import { run, startDriver, writeSmallConfig, type RunningDriver } from './cli-harness.js';

let base: { dir: string; cleanup: () => void };
let configFile: string;
const running: RunningDriver[] = [];
let ns = 0;

before(() => {
  base = tempBase();
  configFile = writeSmallConfig(base.dir);
});
after(() => {
  for (const d of running) d.child.kill('SIGKILL');
  base.cleanup();
});

/** Driver arguments for a fresh namespace under the temp base dir. */
function driverArgs(): { args: string[]; namespace: string } {
  const namespace = `cli${++ns}`;
  return { namespace, args: ['--config', configFile, '--set', `shm.base_dir=${base.dir}`, '--set', `shm.namespace=${namespace}`] };
}

async function driver(): Promise<RunningDriver & { namespace: string }> {
  const { args, namespace } = driverArgs();
  const d = await startDriver(args);
  running.push(d);
  return { ...d, namespace };
}

const oneLine = (s: string): boolean => s.length > 0 && s.endsWith('\n') && s.indexOf('\n') === s.length - 1;

describe('tensorpool driver / status / shutdown', () => {
  test('the driver prints its ready line; status sees it; shutdown with the token drains and it exits 0', async () => {
    const d = await driver();
    assert.match(d.readyLine, new RegExp(`^tensorpool driver ready channel=unix:\\S+/${d.namespace}/control\\.sock namespace=${d.namespace} instance=t5 pid=\\d+$`));
    const json = await run(['status', '--json', '--control', d.channel]);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as { driver: { state: string; channel: string }; counters: { transport: Record<string, number> } };
    assert.equal(s.driver.state, 'Running');
    assert.equal(s.driver.channel, d.channel);
    // Without --control: the channel the config loader derives from the same environment.
    const env: NodeJS.ProcessEnv = { ...process.env, SHM_BASE_DIR: base.dir, SHM_NAMESPACE: d.namespace };
    delete env['DRIVER_CONTROL_CHANNEL'];
    const human = await run(['status'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^driver t5: Running, namespace cli\d+/);
    assert.match(human.stdout, /no leases/);

    const wrong = await run(['shutdown', '--token', 'nope', '--control', d.channel]);
    assert.equal(wrong.code, 1);
    assert.ok(oneLine(wrong.stderr), wrong.stderr);
    assert.match(wrong.stderr, /ignored the request/);

    const ok = await run(['shutdown', '--token', 'tok', '--reason', 'normal', '--message', 'bye', '--wait', '--control', d.channel]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /stopped/);
    assert.deepEqual(await withTimeout(d.exited, 5000, 'driver exit'), { code: 0, signal: null });
    assert.equal(existsSync(d.channel.slice('unix:'.length)), false);
  });

  test('SIGTERM: every client gets ShmDriverShutdown, then the driver exits 0', async () => {
    const d = await driver();
    const c = new FrameLog(await connectUnix(d.channel));
    d.child.kill('SIGTERM');
    await c.next('901/6', 5000);
    assert.deepEqual(await withTimeout(d.exited, 5000, 'driver exit'), { code: 0, signal: null });
    assert.match(d.stderr(), /"event":"driver.signal","signal":"SIGTERM"/);
    // Every stderr line is one JSON object.
    for (const line of d.stderr().trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  test('a bad configuration exits 1 with one line naming the key', async () => {
    const bad = await run(['driver', '--set', `shm.base_dir=${base.dir}`, '--set', 'policies.announce_period_ms=0']);
    assert.equal(bad.code, 1);
    assert.ok(oneLine(bad.stderr), bad.stderr);
    assert.match(bad.stderr, /^tensorpool driver: policies\.announce_period_ms: /);
    assert.equal(bad.stdout, '');
    const missing = await run(['driver', '--config', join(base.dir, 'absent.toml')]);
    assert.equal(missing.code, 1);
    assert.ok(oneLine(missing.stderr), missing.stderr);
    assert.match(missing.stderr, /cannot read TOML file/);
  });

  test('a second driver on the same namespace fails with one line; the first keeps running', async () => {
    const d = await driver();
    const second = await run(['driver', '--config', configFile, '--set', `shm.base_dir=${base.dir}`, '--set', `shm.namespace=${d.namespace}`]);
    assert.equal(second.code, 1);
    assert.ok(oneLine(second.stderr), second.stderr);
    assert.match(second.stderr, /already listening/);
    const s = await run(['status', '--json', '--control', d.channel]);
    assert.equal(s.code, 0);
    d.child.kill('SIGINT');
    assert.equal((await withTimeout(d.exited, 5000, 'driver exit')).code, 0);
  });

  test('status with no driver exits 1 with one line', async () => {
    const r = await run(['status', '--control', `unix:${join(base.dir, 'none.sock')}`]);
    assert.equal(r.code, 1);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /no driver is running/);
  });
});

describe('tensorpool inspect', () => {
  let dir: string;
  before(() => {
    dir = join(base.dir, 'regions');
    mkdirSync(dir);
    const sb = { epoch: 77n, streamId: 10000, nslots: 4, pid: 4242, startTimestampNs: 1n, activityTimestampNs: 2n };
    const ring = new Uint8Array(64 + 4 * 256);
    ring.set(encodeSuperblock({ ...sb, regionType: RegionType.HEADER_RING, poolId: 0, slotBytes: 256, strideBytes: 0 }), 0);
    // Slot 0: seq 5 committed (seqCommit = 5 << 1 | 1), a 3x4 UINT8 row-major tensor in pool 1.
    const tensor = new Uint8Array(192);
    new TensorHeaderEncoder().wrapAndApplyHeader(tensor).dtype(Dtype.UINT8).majorOrder(MajorOrder.ROW).ndims(2).padAlign(0)
      .progressUnit(ProgressUnit.NONE).progressStrideBytes(0).putDims([3, 4]).putStrides([4, 1]).finish();
    new SlotHeaderEncoder().wrap(ring, 64).seqCommit(11n).valuesLenBytes(12).payloadSlot(0).poolId(1).payloadOffset(0)
      .timestampNs(123n).metaVersion(0).headerBytes(tensor).finish();
    writeFileSync(join(dir, 'header.ring'), ring);
    const pool = new Uint8Array(64 + 4 * 64);
    pool.set(encodeSuperblock({ ...sb, regionType: RegionType.PAYLOAD_POOL, poolId: 1, slotBytes: 64, strideBytes: 64 }), 0);
    writeFileSync(join(dir, '1.pool'), pool);
    writeFileSync(join(dir, 'junk'), new Uint8Array(100).fill(7));
    symlinkSync(join(dir, 'header.ring'), join(dir, 'link'));
  });

  test('prints the superblock of a header ring and of a pool', async () => {
    const r = await run(['inspect', join(dir, 'header.ring')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /regionType\s+HEADER_RING/);
    assert.match(r.stdout, /streamId\s+10000/);
    assert.match(r.stdout, /epoch\s+77/);
    assert.match(r.stdout, /magic\s+0x544f504c53484d31 \(ok\)/);
    const p = await run(['inspect', join(dir, '1.pool')]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /regionType\s+PAYLOAD_POOL/);
  });

  test('--slots decodes header slots with their tensor headers (--json)', async () => {
    const r = await run(['inspect', join(dir, 'header.ring'), '--slots', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { slots: { state: string; committedSeq: string | null; tensor: { dtype: string; dims: number[] } | null }[] };
    assert.equal(doc.slots.length, 2);
    assert.equal(doc.slots[0]?.state, 'COMMITTED');
    assert.equal(doc.slots[0]?.committedSeq, '5');
    assert.deepEqual(doc.slots[0]?.tensor && 'dims' in doc.slots[0].tensor ? [doc.slots[0].tensor.dtype, doc.slots[0].tensor.dims] : null, ['UINT8', [3, 4]]);
    assert.equal(doc.slots[1]?.state, 'EMPTY');
    const table = await run(['inspect', join(dir, 'header.ring'), '--slots', '1']);
    assert.match(table.stdout, /COMMITTED\s+5\s+1\s+0\s+12\s+123\s+UINT8 \[3x4\] ROW/);
  });

  test('refuses what is not a regular region file, with one line and exit 1', async () => {
    for (const [path, why] of [
      [dir, /not a regular file/],
      [join(dir, 'link'), /symlink/],
      [join(dir, 'junk'), /not a tensorpool region/],
      [join(dir, 'absent'), /cannot open/],
    ] as const) {
      const r = await run(['inspect', path]);
      assert.equal(r.code, 1, path);
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.match(r.stderr, why);
    }
    const pool = await run(['inspect', join(dir, '1.pool'), '--slots', '1']);
    assert.equal(pool.code, 1);
    assert.match(pool.stderr, /header rings/);
  });
});

describe('tensorpool help and usage errors', () => {
  test('--help for the command and for each subcommand, and help CMD', async () => {
    const results = await Promise.all([
      run(['--help']),
      run(['help']),
      run(['help', 'status']),
      ...['driver', 'status', 'shutdown', 'inspect'].map((c) => run([c, '--help'])),
    ]);
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: tensorpool /);
      assert.equal(r.stderr, '');
    }
    assert.match(results[0]?.stdout ?? '', /driver .*\n\s+status .*\n\s+shutdown .*\n\s+inspect /);
    assert.equal(results[2]?.stdout, results[4]?.stdout);
  });

  test('usage errors exit 2 with one line', async () => {
    const cases = await Promise.all([
      run(['frobnicate']),
      run(['status', '--bogus']),
      run(['inspect']),
      run(['inspect', '/x', '--slots', 'many']),
      run(['shutdown', '--reason', 'whim', '--token', 't', '--control', 'unix:/nowhere.sock']),
      run(['driver', '--set', 'novalue']),
      run(['driver', '--log-level', 'loud']),
      run(['help', 'nothing']),
    ]);
    for (const r of cases) {
      assert.equal(r.code, 2, r.stderr);
      assert.ok(oneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /^tensorpool/);
    }
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: tensorpool/);
    const aeron = await run(['status', '--control', 'aeron:ipc']);
    assert.equal(aeron.code, 2);
    assert.match(aeron.stderr, /Aeron/);
  });
});
