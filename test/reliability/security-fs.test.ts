/**
 * Issue 7, security (filesystem half), end to end: a `tensorpool driver` child process, raw
 * control connections and the real Consumer (mapRegion) in this process, probes run as another
 * user. What a user would notice: the modes on disk, who else can connect or open a region,
 * what a bad namespace / user / config path does, and what happens when a region file is swapped
 * for a symlink, FIFO, device or directory after provisioning.
 *
 * Rule ids: SHM_LAYOUT §9 (layout, sanitised user, namespace), §10.1 (consumer checks), §10.2
 * steps 6–7 (driver: no-follow create, chmod), §11 (permissions), §12 (cleanup); FS-01/02,
 * OWN-01/02, CLIENT-05, EPOCH-01/06, STREAMID-08; CONFIG.md §3 (shm.permissions_mode) and §7
 * (fail fast); ATTACH-07; docs/TRANSPORT.md §7 (socket security). Findings and the table of
 * checks: docs/reliability/security.md.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Consumer } from '../../src/client/index.js';
import { PublishMode, ResponseCode } from '../../src/sbe/index.js';
import { mapRegion, type ExpectedRegion } from '../../src/shm/map-region.js';
import { ShmMapError, type ShmMapCheck } from '../../src/shm/shm-errors.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { run } from '../cli/cli-harness.js';
import { Observer, startDriverProcess, type RunningDriver } from '../system/system-harness.js';
import { SMALL_TOML, tempBase, withTimeout } from '../transport/socket-harness.js';
import { attachVia, detachVia } from './control-requests.js';
import { IS_ROOT, mappingsUnder, modeOf, NOBODY, probeAs, walk, type ProbeTarget } from './security-probes.js';

let base: { dir: string; cleanup: () => void };
const drivers: RunningDriver[] = [];
const observers: Observer[] = [];
const consumers: Consumer[] = [];

before(() => {
  base = tempBase();
  // Traversable (not listable) by other users, so the probes test the driver's own modes.
  chmodSync(base.dir, 0o711);
});
after(async () => {
  for (const c of consumers) await c.close().catch(() => undefined);
  for (const o of observers) o.close();
  for (const d of drivers) d.child.kill('SIGKILL');
  base.cleanup();
});

/** A fresh base dir under the test's, traversable by other users. */
function subBase(name: string): string {
  const dir = join(base.dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, 0o711);
  return dir;
}

async function driver(baseDir: string, namespace: string, set: readonly string[] = [], env?: NodeJS.ProcessEnv): Promise<RunningDriver & { socket: string }> {
  // startDriverProcess spawns synchronously with this process's env; swap USER only around the spawn.
  const saved = process.env['USER'];
  if (env?.['USER'] !== undefined) process.env['USER'] = env['USER'];
  let started: Promise<RunningDriver>;
  try {
    started = startDriverProcess({ baseDir, namespace, set });
  } finally {
    if (saved === undefined) delete process.env['USER'];
    else process.env['USER'] = saved;
  }
  const d = await started;
  drivers.push(d);
  return { ...d, socket: d.channel.slice('unix:'.length) };
}

async function observer(channel: string): Promise<Observer> {
  const o = await Observer.connect(channel);
  observers.push(o);
  return o;
}

let correlation = 1000n;
const nextCorrelation = (): bigint => ++correlation;

function openConsumer(channel: string, allowedBaseDir: string, clientId: number): Promise<Consumer> {
  return withTimeout(
    Consumer.open({
      connect: () => connectUnix(channel, { timeoutMs: 3000 }),
      streamId: 10000,
      allowedBaseDirs: [allowedBaseDir],
      clientOptions: { clientId, keepaliveIntervalMs: 100, attachTimeoutMs: 3000 },
    }),
    6000,
    `Consumer.open (client ${clientId})`,
  );
}

/** The newest epoch directory of stream 10000. */
function epochDirOf(nsDir: string): string {
  const streamDir = join(nsDir, '10000');
  const epochs = readdirSync(streamDir).filter((n) => /^\d+$/.test(n)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const last = epochs[epochs.length - 1];
  assert.ok(last !== undefined, `an epoch under ${streamDir}`);
  return join(streamDir, last);
}

describe('security: modes, traversal, region paths (issue 7)', { timeout: 40_000 }, () => {
  // CONFIG.md §3 shm.permissions_mode; SHM_LAYOUT §10.2 step 7, §11; TRANSPORT.md §7 items 1 and 5.
  test('shm.permissions_mode 660 / 640 / 600, driver under umask 077: region files get the mode, every directory the driver made gets it plus x (never o+w), the socket rw for each class with access; as another user: a group member may open/connect unless 600, others never (§10.2 step 7, §11, TRANSPORT §7)', async () => {
    const CASES = [
      { mode: '660', file: 0o660, dir: 0o770, socket: 0o660, group: 'ok' },
      { mode: '640', file: 0o640, dir: 0o750, socket: 0o660, group: 'ok' },
      { mode: '600', file: 0o600, dir: 0o700, socket: 0o600, group: 'EACCES' },
    ] as const;
    // Under umask 077 (inherited by the driver processes): the modes must be exact anyway (chmod after create).
    const bases = CASES.map((c) => subBase(`modes-${c.mode}`));
    const mask = process.umask(0o077);
    let starting: Promise<(RunningDriver & { socket: string })[]>;
    try {
      starting = Promise.all(CASES.map((c, i) => driver(bases[i] as string, 'modes', [`shm.permissions_mode=${c.mode}`])));
    } finally {
      process.umask(mask);
    }
    const started = await starting;
    const targets: ProbeTarget[] = [];
    for (const [i, c] of CASES.entries()) {
      const d = started[i] as RunningDriver & { socket: string };
      const o = await observer(d.channel);
      const r = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 11, role: 'consumer' });
      assert.equal(r.code, ResponseCode.OK, r.error);
      const nsDir = dirname(d.socket);
      const tree = walk(nsDir);
      const regions = tree.files.filter((f) => f !== d.socket);
      assert.deepEqual(regions.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort(), ['1.pool', 'header.ring']);
      for (const f of regions) assert.equal(modeOf(f).toString(8), c.file.toString(8), `${c.mode}: ${f}`);
      for (const p of [dirname(nsDir), nsDir, ...tree.dirs]) assert.equal(modeOf(p).toString(8), c.dir.toString(8), `${c.mode}: ${p}`);
      assert.equal(modeOf(d.socket).toString(8), c.socket.toString(8), `${c.mode}: the socket`);
      targets.push({ socket: d.socket, file: regions.find((f) => f.endsWith('header.ring')) ?? '' });
    }
    if (!IS_ROOT) return; // probing as another user needs setuid
    const [group, other] = await Promise.all([probeAs(NOBODY, 0, targets), probeAs(NOBODY, NOBODY, targets)]);
    for (const [i, c] of CASES.entries()) {
      assert.deepEqual(group?.[i], { open: c.group, connect: c.group }, `${c.mode}: a member of the driver user's group`);
      assert.deepEqual(other?.[i], { open: 'EACCES', connect: 'EACCES' }, `${c.mode}: any other user`);
    }
  });

  test('namespace traversal (`../x`, absolute `/etc`, NUL from a TOML file, 100 000 characters): one-line error naming shm.namespace with the value cut, exit 1, nothing created (SHM_LAYOUT §9, CONFIG.md §7; `..`, `a/b`, 65 chars: test/driver/config)', async () => {
    const dir = subBase('trav/b');
    const cfg = join(base.dir, 'trav', 'small.toml');
    writeFileSync(cfg, SMALL_TOML);
    const nulCfg = join(base.dir, 'trav', 'nul.toml');
    writeFileSync(nulCfg, `${SMALL_TOML}\n[shm]\nnamespace = "a\\u0000b"\n`);
    const common = ['--set', `shm.base_dir=${dir}`, '--set', `shm.allowed_base_dirs=${dir}`];
    const results = await Promise.all([
      ...['../x', '/etc', 'a'.repeat(100_000)].map((ns) => run(['driver', '--config', cfg, ...common, '--set', `shm.namespace=${ns}`], process.env, 8000)),
      run(['driver', '--config', nulCfg, ...common], process.env, 8000),
    ]);
    for (const [i, r] of results.entries()) {
      const what = `case ${i}: ${r.stderr.slice(0, 200)}`;
      assert.equal(r.code, 1, what);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, what);
      assert.match(lines[0] ?? '', /^tensorpool driver: shm\.namespace: /, what);
      // The value is echoed, but cut: a 100 000-character namespace does not come back whole.
      assert.ok((lines[0] ?? '').length <= 512, `${what}: ${lines[0]?.length} characters`);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing created in the base dir');
    assert.deepEqual(readdirSync(join(base.dir, 'trav')).sort(), ['b', 'nul.toml', 'small.toml'], 'nothing created next to it (../x)');
  });

  test('user name USER=../../evil stays inside the base dir as tensorpool-.._.._evil; stream ids that would build odd paths (0, 2^31-1, 2^32-1, 99999) never become directories: REQUIRE_EXISTING is REJECTED, EXISTING_OR_CREATE gets an id from driver.stream_id_range (SHM_LAYOUT §9, STREAMID-08, FS-02)', async () => {
    const parent = subBase('user');
    const dir = subBase('user/b');
    const d = await driver(dir, 'u', [], { USER: '../../evil' });
    assert.equal(d.socket, join(dir, 'tensorpool-.._.._evil', 'u', 'control.sock'));
    const o = await observer(d.channel);
    let id = 400;
    for (const streamId of [0, 0x7fffffff, 0xffffffff, 99999]) {
      const rejected = await attachVia(o, { correlationId: nextCorrelation(), streamId, clientId: ++id, role: 'consumer' });
      assert.deepEqual([rejected.code, rejected.error], [ResponseCode.REJECTED, 'stream not provisioned']);
      const created = await attachVia(o, { correlationId: nextCorrelation(), streamId, clientId: ++id, role: 'consumer', publishMode: PublishMode.EXISTING_OR_CREATE });
      assert.equal(created.code, ResponseCode.OK, created.error);
      assert.ok(created.streamId !== null && created.streamId >= 20000 && created.streamId <= 20099, `allocated ${created.streamId}`);
    }
    const nsDir = dirname(d.socket);
    for (const p of walk(nsDir).dirs) {
      const rel = p.slice(nsDir.length + 1).split('/');
      assert.ok(rel.length <= 2 && rel.every((x) => /^[0-9]+$/.test(x)), p);
      const sid = Number(rel[0]);
      assert.ok(sid >= 20000 && sid <= 20099, `stream dir ${sid} in the dynamic range`);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['driver.toml', 'tensorpool-.._.._evil']);
    assert.deepEqual(readdirSync(parent), ['b'], 'nothing above the base dir');
  });

  test('--config at a FIFO, /dev/zero, a symlink to a directory or a dangling symlink: one-line error within seconds (no hang), exit 1, nothing created (CONFIG.md §7; a missing file: test/cli; /dev/null, oversized, a symlink to a valid file: test/driver/config/read-config-file)', async () => {
    const dir = subBase('cfg/b');
    const c = join(base.dir, 'cfg');
    symlinkSync(join(c, 'nothing.toml'), join(c, 'dangling.toml'));
    symlinkSync(c, join(c, 'dirlink.toml'));
    execFileSync('mkfifo', [join(c, 'fifo.toml')]);
    const common = ['--set', `shm.base_dir=${dir}`, '--set', `shm.allowed_base_dirs=${dir}`];
    const bad: readonly (readonly [string, RegExp])[] = [
      [join(c, 'fifo.toml'), /a FIFO/],
      ['/dev/zero', /a character device/],
      [join(c, 'dirlink.toml'), /a directory/],
      [join(c, 'dangling.toml'), /ENOENT/],
    ];
    const results = await Promise.all(bad.map(([path]) => run(['driver', '--config', path, ...common], process.env, 8000)));
    for (const [i, r] of results.entries()) {
      const [path, why] = bad[i] as readonly [string, RegExp];
      assert.equal(r.code, 1, `${path}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', /^tensorpool driver: config: cannot read TOML file /);
      assert.match(lines[0] ?? '', why);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing created in the base dir');
  });

  describe('region files swapped after provisioning (long base dir, cleanup_shm_on_exit)', () => {
    // A base dir of ~1.2 kB so that a provisioning error naming a path exceeds 1024 bytes (ATTACH-07).
    let dir = '';
    let outside = '';
    let d: RunningDriver & { socket: string };
    let o: Observer;
    let nsDir = '';
    let producerLease = 0n;

    before(async () => {
      dir = subBase(`r/${Array.from({ length: 6 }, (_, i) => `${i}${'L'.repeat(199)}`).join('/')}`);
      outside = subBase('r-outside');
      d = await driver(dir, 'reg', ['policies.cleanup_shm_on_exit=true', `driver.control_channel=unix:${join(base.dir, 'reg.sock')}`]);
      o = await observer(d.channel);
      // A consumer lease provisions the first epoch and keeps the stream known (STREAMID-09).
      const r = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 100, role: 'consumer' });
      assert.equal(r.code, ResponseCode.OK, r.error);
      nsDir = join(dir, readdirSync(dir).find((n) => n.startsWith('tensorpool-')) ?? '', 'reg');
    });

    const HOSTILE: readonly { readonly name: string; readonly plant: (path: string) => void; readonly checks: readonly ShmMapCheck[] }[] = [
      { name: 'a symlink to a copy of the region (inside the allowed dir)', plant: (p) => symlinkSync(`${p}.orig`, p), checks: ['CONTAINMENT'] },
      { name: 'a symlink to /dev/zero', plant: (p) => symlinkSync('/dev/zero', p), checks: ['CONTAINMENT'] },
      { name: 'a FIFO (opening it would block)', plant: (p) => execFileSync('mkfifo', [p]), checks: ['FILE_TYPE'] },
      { name: 'the /dev/null device (mknod c 1 3)', plant: (p) => execFileSync('mknod', [p, 'c', '1', '3']), checks: ['FILE_TYPE'] },
      { name: 'the /dev/zero device (mknod c 1 5)', plant: (p) => execFileSync('mknod', [p, 'c', '1', '5']), checks: ['FILE_TYPE'] },
      { name: 'a directory', plant: (p) => mkdirSync(p), checks: ['FILE_TYPE'] },
    ];
    let clientId = 200;
    for (const h of HOSTILE) {
      for (const region of ['header.ring', '1.pool']) {
        test(`consumer: ${region} replaced by ${h.name} → the consumer's mapRegion refuses it (ShmMapError ${h.checks.join('/')}) and maps nothing; the driver grants the next consumer a fresh epoch (SHM_LAYOUT §10.1 steps 5–6, §7.6, CLIENT-05, EPOCH-03)`, async (t) => {
          if (!IS_ROOT && h.name.includes('mknod')) return t.skip('mknod needs root');
          const epochDir = epochDirOf(nsDir);
          const epoch = BigInt(basename(epochDir));
          const path = join(epochDir, region);
          renameSync(path, `${path}.orig`);
          try {
            h.plant(path);
            // What Consumer.open does with the URI an attach response names (the driver no longer
            // names this epoch to a consumer once it sees the swap; see below).
            const expected: ExpectedRegion = region === 'header.ring' ? { kind: 'header', streamId: 10000, epoch, nslots: 8 } : { kind: 'pool', streamId: 10000, epoch, nslots: 8, poolId: 1, strideBytes: 4096 };
            assert.throws(() => mapRegion(path, { writable: false, allowedBaseDirs: [dir], expected }), (e: unknown) => {
              assert.ok(e instanceof ShmMapError, `a ShmMapError, got ${String(e)}`);
              assert.ok(h.checks.includes(e.check), `check ${e.check}: ${e.message.slice(0, 300)}`);
              return true;
            });
            assert.deepEqual(mappingsUnder(epochDir), [], 'nothing of the epoch is mapped');
            // The driver sees the swapped file at the next consumer attach and moves the stream on.
            const c = await openConsumer(d.channel, dir, ++clientId);
            try {
              assert.ok(c.epoch !== null && c.epoch > epoch, `a fresh epoch: ${c.epoch} > ${epoch}`);
            } finally {
              await c.close();
            }
          } finally {
            rmSync(path, { recursive: true, force: true });
            renameSync(`${path}.orig`, path);
          }
        });
      }
    }

    test('consumer: the restored regions map (the rejections above were the planted files)', async () => {
      const c = await openConsumer(d.channel, dir, 300);
      consumers.push(c);
      assert.notEqual(c.epoch, null);
      await c.close();
    });

    test('driver: a stream directory swapped for a symlink to another directory → producer attach INTERNAL_ERROR, nothing written through the link, the error on the wire cut to 1024 bytes (FS-01, §10.2, ATTACH-07)', async () => {
      const streamDir = join(nsDir, '10000');
      renameSync(streamDir, `${streamDir}.orig`);
      symlinkSync(outside, streamDir);
      try {
        const r = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 301, role: 'producer' });
        assert.equal(r.code, ResponseCode.INTERNAL_ERROR, r.error);
        assert.match(r.error, /^failed to provision SHM: SHM path "/, 'row 16 diagnostic (the part naming the symlink is past the cut)');
        const frame = o.frames[o.seen.indexOf(r)] as Uint8Array;
        // errorMessage is the last var-data: its u32 length sits 4 + length bytes from the end.
        const len = Buffer.from(frame).readUInt32LE(frame.length - 4 - r.error.length);
        assert.equal(len, r.error.length);
        assert.equal(len, 1024, 'the long-path diagnostic is cut to exactly the 1024-byte limit');
        assert.deepEqual(readdirSync(outside), [], 'nothing created through the symlink');
      } finally {
        unlinkSync(streamDir);
        renameSync(`${streamDir}.orig`, streamDir);
      }
    });

    test('driver: header.ring swapped for a symlink to a file outside → the next producer attach provisions a new epoch of regular files and never writes the target (§10.2 step 6, EPOCH-01)', async () => {
      const before = epochDirOf(nsDir);
      const target = join(outside, 'target.bin');
      writeFileSync(target, 'do not touch');
      const header = join(before, 'header.ring');
      renameSync(header, `${header}.orig`);
      symlinkSync(target, header);
      const r = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 302, role: 'producer', publishMode: PublishMode.REQUIRE_EXISTING });
      assert.equal(r.code, ResponseCode.OK, r.error);
      producerLease = r.leaseId ?? 0n;
      const now = epochDirOf(nsDir);
      assert.ok(BigInt(now.slice(now.lastIndexOf('/') + 1)) > BigInt(before.slice(before.lastIndexOf('/') + 1)), 'a new epoch');
      assert.equal(readFileSync(target, 'utf8'), 'do not touch');
      for (const f of walk(now).files) assert.ok(lstatSync(f).isFile(), `${f} is a regular file`);
      const c = await openConsumer(d.channel, dir, 303);
      consumers.push(c);
      assert.equal(c.epoch?.toString(), now.slice(now.lastIndexOf('/') + 1), 'a consumer maps the new epoch');
      await c.close();
    });

    test('driver: an epoch directory planted at 2^64-1 → the next producer attach is INTERNAL_ERROR (EPOCH-06, never a wrapped or reused epoch); once it is removed a producer attaches again without a restart', async () => {
      const d1 = await detachVia(o, { leaseId: producerLease, streamId: 10000, clientId: 302, role: 'producer' }, nextCorrelation());
      assert.equal(d1.code, ResponseCode.OK, d1.error);
      const planted = join(nsDir, '10000', ((1n << 64n) - 1n).toString());
      mkdirSync(planted);
      try {
        const r = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 304, role: 'producer' });
        assert.equal(r.code, ResponseCode.INTERNAL_ERROR);
        assert.match(r.error, /EPOCH-06/);
      } finally {
        rmSync(planted, { recursive: true });
      }
      const again = await attachVia(o, { correlationId: nextCorrelation(), streamId: 10000, clientId: 305, role: 'producer' });
      assert.equal(again.code, ResponseCode.OK, again.error);
    });

    test('driver exit with cleanup_shm_on_exit: a symlink planted among the current regions is unlinked, its target survives (§12 cleanup, OWN-01)', async () => {
      const epochDir = epochDirOf(nsDir);
      const target = join(outside, 'keep.pool');
      writeFileSync(target, 'keep');
      symlinkSync(target, join(epochDir, '7.pool'));
      d.child.kill('SIGTERM');
      assert.deepEqual(await withTimeout(d.exited, 5000, 'driver exit'), { code: 0, signal: null });
      assert.equal(readFileSync(target, 'utf8'), 'keep');
      assert.ok(!existsSync(join(epochDir, 'header.ring')), 'the current regions were removed');
    });
  });
});
