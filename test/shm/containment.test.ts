/** Containment: SHM_LAYOUT.md §10.1 steps 3–4, §10.2 step 1, FS-01. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertContained,
  canonicalizeAllowedDirs,
  canonicalizeDir,
  containingBase,
  isWithinDir,
  ShmContainmentError,
} from '../../src/shm/index.js';
import { tempRoot } from './shm-fixtures.js';

const isContainment = (e: unknown): boolean => e instanceof ShmContainmentError && e.code === 'TP_ERR_SHM_CONTAINMENT';

test('§10.1 step 4: component-wise, not string prefix', () => {
  assert.equal(isWithinDir('/dev/shm/tp', '/dev/shm/tp'), true);
  assert.equal(isWithinDir('/dev/shm/tp', '/dev/shm/tp/a/b'), true);
  assert.equal(isWithinDir('/dev/shm/tp', '/dev/shm/tp2/a'), false);
  assert.equal(isWithinDir('/dev/shm/tp', '/dev/shm/tp2'), false);
  assert.equal(isWithinDir('/dev/shm/tp', '/dev/shm'), false);
  assert.equal(isWithinDir('/', '/anything'), true);
  assert.throws(() => containingBase('/dev/shm/tp2/x/header.ring', ['/dev/shm/tp']), isContainment);
  assert.throws(() => containingBase('/dev/shm/tp2/x/header.ring', ['/dev/shm/tp']), /SHM path not within allowed_base_dirs/);
  assert.equal(containingBase('/dev/shm/tp/x', ['/dev/shm/tp']), '/dev/shm/tp');
  // nested allowed dirs: innermost wins
  assert.equal(containingBase('/a/b/c', ['/a', '/a/b']), '/a/b');
});

test('§10.2 step 1: ".." traversal, relative and non-normalised paths are refused', () => {
  const allowed = ['/dev/shm/tp'];
  for (const p of [
    '/dev/shm/tp/../etc/passwd',
    '/dev/shm/tp/a/../../tp2/x',
    '/dev/shm/tp/./x',
    '/dev/shm/tp//x',
    'dev/shm/tp/x',
    '../dev/shm/tp/x',
    '/dev/shm/tp/x\0y',
  ]) {
    assert.throws(() => containingBase(p, allowed), isContainment, p);
  }
});

test('§10.1 step 3: allowed dirs are canonicalised (realpath when they exist, else resolve)', () => {
  const root = tempRoot();
  try {
    const real = join(root.dir, 'real');
    mkdirSync(real);
    symlinkSync(real, join(root.dir, 'link'));
    assert.equal(canonicalizeDir(join(root.dir, 'link')), real);
    assert.equal(canonicalizeDir(join(root.dir, 'missing', '..', 'later')), join(root.dir, 'later'));
    assert.deepEqual(canonicalizeAllowedDirs([join(root.dir, 'link'), real]), [real]);
  } finally {
    root.cleanup();
  }
});

test('FS-01: a symlink in any component below the base is refused; a non-directory component too', () => {
  const root = tempRoot();
  try {
    const base = join(root.dir, 'base');
    const outside = join(root.dir, 'outside');
    mkdirSync(join(base, 'ns'), { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(base, 'ns', 'evil'));
    assert.throws(() => assertContained(join(base, 'ns', 'evil', 'x', 'header.ring'), [base]), /symlink/);
    // symlink as the last component
    symlinkSync(join(outside, 'f'), join(base, 'ns', 'file-link'));
    assert.throws(() => assertContained(join(base, 'ns', 'file-link'), [base]), /symlink/);
    // the base itself replaced by a symlink
    const base2 = join(root.dir, 'base2');
    symlinkSync(outside, base2);
    assert.throws(() => assertContained(join(base2, 'x'), [base2]), /symlink/);
    // a regular file where a directory is needed
    writeFileSync(join(base, 'ns', 'plain'), 'x');
    assert.throws(() => assertContained(join(base, 'ns', 'plain', 'x'), [base]), /not a directory/);
    // fine: nothing exists below ns yet
    assertContained(join(base, 'ns', 'new', '1', 'header.ring'), [base]);
  } finally {
    root.cleanup();
  }
});
