/** Epoch floor: EPOCH-08 plus "never reuse or go below an epoch directory already on disk"; §9 `^[0-9]+$`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { highestEpochOnDisk, nextEpoch, parseEpochName, ShmProvisionError } from '../../src/shm/index.js';
import { tempRoot } from './shm-fixtures.js';

test('§9: only ^[0-9]+$ names, parsed as u64 with BigInt', () => {
  assert.equal(parseEpochName('0'), 0n);
  assert.equal(parseEpochName('18446744073709551615'), (1n << 64n) - 1n);
  assert.equal(parseEpochName('18446744073709551616'), undefined);
  for (const n of ['', '-1', '+1', '1e3', '0x10', ' 1', '1 ', '١٢', '12a', '.1']) assert.equal(parseEpochName(n), undefined, n);
  assert.equal(parseEpochName('007'), 7n);
});

test('highestEpochOnDisk: 0n when none; ignores non-numeric names, files and symlinks', () => {
  const root = tempRoot();
  try {
    const ns = join(root.dir, 'ns');
    assert.equal(highestEpochOnDisk(ns, 5), 0n); // no namespace dir
    const s = join(ns, '5');
    mkdirSync(s, { recursive: true });
    assert.equal(highestEpochOnDisk(ns, 5), 0n);
    for (const d of ['3', '2000000000000000000', 'tmp', '99x']) mkdirSync(join(s, d));
    writeFileSync(join(s, '9999999999999999999'), ''); // a file, not an epoch dir
    mkdirSync(join(root.dir, 'elsewhere'));
    symlinkSync(join(root.dir, 'elsewhere'), join(s, '18000000000000000000')); // symlink: ignored
    assert.equal(highestEpochOnDisk(ns, 5), 2_000_000_000_000_000_000n);
    assert.equal(highestEpochOnDisk(ns, 6), 0n);
  } finally {
    root.cleanup();
  }
});

test('EPOCH-08 + restart floor: next = max(1, previous+1, now, onDisk+1); strictly increasing', () => {
  assert.equal(nextEpoch(0n, 0n, 0n), 1n); // first provisioning with a zero clock
  assert.equal(nextEpoch(0n, 500n, 0n), 500n); // first provisioning: now
  assert.equal(nextEpoch(500n, 500n, 500n), 501n); // same tick: +1
  assert.equal(nextEpoch(0n, 100n, 9000n), 9001n); // restart after reboot: the disk wins over the clock
  assert.equal(nextEpoch(10n, 5n, 3n), 11n);
  assert.throws(() => nextEpoch((1n << 64n) - 1n, 0n, 0n), ShmProvisionError); // EPOCH-06
});
