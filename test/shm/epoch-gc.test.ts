/** Epoch GC: SHM_LAYOUT.md §12, DRIVER_RULES D11, EPOCH-10. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  collectEpochs,
  collectStale,
  provisionEpoch,
  removeCurrentEpochs,
  removeEpoch,
  type ShmContext,
} from '../../src/shm/index.js';
import { context, SMALL, tempRoot } from './shm-fixtures.js';

const SEC = 1_000_000_000n;
const DRIVER_PID = 4242;

/** Provisions epochs 1..n of a stream with activity stamps `epoch × SEC` (so epoch e is (now − e·SEC) old). */
function provisionMany(ctx: ShmContext, streamId: number, epochs: readonly bigint[], pid = DRIVER_PID): void {
  for (const epoch of epochs) provisionEpoch(ctx, { streamId, epoch, profile: SMALL, nowNs: epoch * SEC, pid });
}

const ctxFor = (dir: string, alive: ReadonlySet<number> = new Set()): ShmContext =>
  context(dir, {}, { prefaultShm: false }, { driverPid: DRIVER_PID, isPidAlive: (p) => alive.has(p) });

test('§12: keeps current + the newest keep−1, removes older stale epochs (own pid does not protect: D11)', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    provisionMany(ctx, 1, [1n, 2n, 3n, 4n, 5n]);
    const r = collectEpochs(ctx, { streamId: 1, currentEpoch: 5n, inUse: new Set(), nowNs: 100n * SEC, keep: 2, minAgeNs: 3n * SEC });
    assert.deepEqual(r, { removed: [1n, 2n, 3n], kept: [4n, 5n] });
    assert.deepEqual(readdirSync(join(ctx.nsDir, '1')).sort(), ['4', '5']);
    // keep 0 acts as 1 (RI max(1, keep))
    const r1 = collectEpochs(ctx, { streamId: 1, currentEpoch: 5n, inUse: new Set(), nowNs: 100n * SEC, keep: 0, minAgeNs: 0n });
    assert.deepEqual(r1, { removed: [4n], kept: [5n] });
  } finally {
    root.cleanup();
  }
});

test('§12.1: never removes an epoch in use, nor one newer than current', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    provisionMany(ctx, 1, [1n, 2n, 3n, 4n, 9n]);
    const r = collectEpochs(ctx, { streamId: 1, currentEpoch: 4n, inUse: new Set([1n]), nowNs: 100n * SEC, keep: 1, minAgeNs: 0n });
    assert.deepEqual(r, { removed: [2n, 3n], kept: [1n, 4n, 9n] });
  } finally {
    root.cleanup();
  }
});

test('§12.2 step 4: honours the min age (monotonic now vs superblock activityTimestampNs)', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    provisionMany(ctx, 1, [10n, 20n, 30n, 40n]);
    // now = 45 s, min age 20 s: epoch 10 (35 s old) and 20 (25 s) go, 30 (15 s) stays; 40 is current
    const r = collectEpochs(ctx, { streamId: 1, currentEpoch: 40n, inUse: new Set(), nowNs: 45n * SEC, keep: 1, minAgeNs: 20n * SEC });
    assert.deepEqual(r, { removed: [10n, 20n], kept: [30n, 40n] });
  } finally {
    root.cleanup();
  }
});

test('§12.1: a superblock pid that is alive and not this driver protects the epoch; a dead one does not', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir, new Set([777]));
    provisionMany(ctx, 1, [1n], 777); // live foreign writer
    provisionMany(ctx, 1, [2n], 888); // dead previous driver
    provisionMany(ctx, 1, [3n]);
    const r = collectEpochs(ctx, { streamId: 1, currentEpoch: 3n, inUse: new Set(), nowNs: 100n * SEC, keep: 1, minAgeNs: 0n });
    assert.deepEqual(r, { removed: [2n], kept: [1n, 3n] });
  } finally {
    root.cleanup();
  }
});

test('§9: ignores non-numeric names, files and symlinks; a missing stream dir is a no-op', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    assert.deepEqual(collectEpochs(ctx, { streamId: 3, currentEpoch: 0n, inUse: new Set(), nowNs: 0n, keep: 1, minAgeNs: 0n }), { removed: [], kept: [] });
    provisionMany(ctx, 1, [1n, 2n]);
    const s = join(ctx.nsDir, '1');
    mkdirSync(join(s, 'notes'));
    writeFileSync(join(s, '0'), 'file named like an epoch');
    const outside = join(root.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep-me'), 'x');
    symlinkSync(outside, join(s, '00'));
    const r = collectEpochs(ctx, { streamId: 1, currentEpoch: 2n, inUse: new Set(), nowNs: 100n * SEC, keep: 1, minAgeNs: 0n });
    assert.deepEqual(r, { removed: [1n], kept: [2n] });
    assert.deepEqual(readdirSync(s).sort(), ['0', '00', '2', 'notes']);
    assert.ok(existsSync(join(outside, 'keep-me')));
  } finally {
    root.cleanup();
  }
});

test('clocks: unreadable header → wall-clock dir mtime age only when wallNowMs is given; future activity likewise', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    provisionMany(ctx, 1, [5n]);
    const s = join(ctx.nsDir, '1');
    mkdirSync(join(s, '1')); // no header.ring (e.g. a crashed half-made epoch of another tool)
    mkdirSync(join(s, '2'));
    writeFileSync(join(s, '2', 'header.ring'), 'garbage'); // bad superblock
    provisionMany(ctx, 1, [3n]);
    const wall = Date.UTC(2026, 0, 1);
    for (const e of ['1', '2', '3']) utimesSync(join(s, e), new Date(wall - 60_000), new Date(wall - 60_000));
    // epoch 3's activity (3 s) lies in the future of now = 1 s (previous boot): age unknown
    const base = { streamId: 1, currentEpoch: 5n, inUse: new Set<bigint>(), nowNs: 1n * SEC, keep: 1, minAgeNs: 30n * SEC };
    assert.deepEqual(collectEpochs(ctx, base), { removed: [], kept: [1n, 2n, 3n, 5n] });
    // with a wall clock: mtimes are 60 s old ≥ 30 s
    assert.deepEqual(collectEpochs(ctx, { ...base, wallNowMs: wall }), { removed: [1n, 2n, 3n], kept: [5n] });
  } finally {
    root.cleanup();
  }
});

test('§12.2 step 5: collectStale runs over every stream dir with the highest epoch as current', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    provisionMany(ctx, 1, [1n, 2n, 3n]);
    provisionMany(ctx, 42, [7n, 8n]);
    mkdirSync(join(ctx.nsDir, 'junk'));
    const out = collectStale(ctx, { nowNs: 100n * SEC, keep: 1, minAgeNs: 0n, inUse: (id) => (id === 1 ? new Set([1n]) : new Set()) });
    assert.deepEqual([...out.entries()].sort((a, b) => a[0] - b[0]), [
      [1, { removed: [2n], kept: [1n, 3n] }],
      [42, { removed: [7n], kept: [8n] }],
    ]);
  } finally {
    root.cleanup();
  }
});

test('cleanup_shm_on_exit: removeCurrentEpochs deletes the current files (and the then-empty epoch dir) only', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    const old = provisionEpoch(ctx, { streamId: 1, epoch: 1n, profile: SMALL, nowNs: 1n, pid: 1 });
    const cur = provisionEpoch(ctx, { streamId: 1, epoch: 2n, profile: SMALL, nowNs: 2n, pid: 1 });
    const removed = removeCurrentEpochs(ctx, [cur]);
    assert.deepEqual(removed, [cur.header.path, ...cur.pools.map((p) => p.path), cur.dir]);
    assert.equal(existsSync(cur.dir), false);
    assert.ok(existsSync(old.header.path));
    assert.deepEqual(removeCurrentEpochs(ctx, [cur]), []); // idempotent
  } finally {
    root.cleanup();
  }
});

test('cleanup_shm_on_exit by id: removeEpoch deletes only region files of the canonical epoch dir', () => {
  const root = tempRoot();
  try {
    const ctx = ctxFor(root.dir);
    const e = provisionEpoch(ctx, { streamId: 4, epoch: 9n, profile: SMALL, nowNs: 1n, pid: 1 });
    writeFileSync(join(e.dir, 'notes.txt'), 'not a region');
    assert.deepEqual(removeEpoch(ctx, 4, 9n).sort(), [e.header.path, ...e.pools.map((p) => p.path)].sort());
    assert.deepEqual(readdirSync(e.dir), ['notes.txt']); // dir kept: not empty
    assert.deepEqual(removeEpoch(ctx, 4, 10n), []); // missing epoch: nothing
  } finally {
    root.cleanup();
  }
});
