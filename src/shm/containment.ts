/**
 * Path containment (SHM_LAYOUT.md §10, FS-01): every path the driver creates, reuses or removes
 * must lie inside one of `shm.allowed_base_dirs`, and nothing below that base may be a symlink.
 *
 * Invariants:
 * - Allowed dirs are canonicalised once (realpath when they exist, else path.resolve; §10.1 step 3).
 * - The comparison is component-wise: `/dev/shm/tp` contains `/dev/shm/tp` and `/dev/shm/tp/x`,
 *   never `/dev/shm/tp2/x` (§10.1 step 4, RI `dir + "/"` prefix).
 * - Paths are compared as given, after refusing anything that is not absolute and normalised:
 *   a `.`/`..` component or a doubled separator is rejected, not resolved, so a lexical check
 *   cannot disagree with what the kernel resolves (below the base, `assertNoSymlinkBelow` makes the
 *   lexical and the physical path the same).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { errnoCode, ShmContainmentError } from './shm-errors.js';

/** realpath when the dir exists, else path.resolve (a dir created later is compared lexically, §10.2 step 1). */
export function canonicalizeDir(dir: string): string {
  const abs = resolve(dir);
  try {
    return realpathSync.native(abs);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return abs;
    throw error;
  }
}

/** Canonicalises each allowed dir (duplicates removed, order kept). */
export function canonicalizeAllowedDirs(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const c = canonicalizeDir(dir);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** True when `path` equals `dir` or lies below it, component-wise. Both must be absolute and normalised. */
export function isWithinDir(dir: string, path: string): boolean {
  if (path === dir) return true;
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return path.startsWith(prefix);
}

function assertNormalisedAbsolute(path: string): void {
  if (!isAbsolute(path)) throw new ShmContainmentError(`SHM path ${JSON.stringify(path)} must be absolute`);
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  if (normalize(trimmed) !== trimmed || path.includes('\0')) {
    throw new ShmContainmentError(
      `SHM path ${JSON.stringify(path)} is not normalised ("." / ".." components or repeated separators are refused, not resolved)`,
    );
  }
}

/**
 * Returns the allowed dir that contains `path`, or throws ShmContainmentError with the RI message
 * "SHM path not within allowed_base_dirs" (§10.2 step 1).
 */
export function containingBase(path: string, allowedDirs: readonly string[]): string {
  assertNormalisedAbsolute(path);
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  // Longest match first, so nested allowed dirs pick the innermost base for the symlink walk.
  let best: string | undefined;
  for (const dir of allowedDirs) {
    if (isWithinDir(dir, trimmed) && (best === undefined || dir.length > best.length)) best = dir;
  }
  if (best === undefined) {
    throw new ShmContainmentError(
      `SHM path not within allowed_base_dirs: ${JSON.stringify(path)} is outside ${JSON.stringify(allowedDirs)}; ` +
        'add its directory to shm.allowed_base_dirs or change shm.base_dir',
    );
  }
  return best;
}

/**
 * lstat()s every existing component from `base` down to `path` and refuses a symlink anywhere
 * (the base included: it was canonical when configured, but may have been replaced since) and a
 * non-directory above the last component. Components that do not exist yet end the walk: the
 * caller creates them with no-follow semantics. Returns the number of components that exist.
 *
 * Residual race (documented in docs/shm/README.md): Node has no openat(), so a component swapped
 * for a symlink between this walk and the later mkdir/open is not caught for directories; files
 * are opened with O_NOFOLLOW, which covers the last component. The per-user directory is created
 * with the configured (group-private) mode so that only trusted users can race.
 */
export function assertNoSymlinkBelow(base: string, path: string): void {
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  const rest = trimmed === base ? [] : trimmed.slice(base.length).split(sep).filter((c) => c !== '');
  let current = base;
  const components = [base];
  for (const c of rest) {
    current = current === sep ? sep + c : current + sep + c;
    components.push(current);
  }
  for (let i = 0; i < components.length; i++) {
    const p = components[i] ?? base;
    let st;
    try {
      st = lstatSync(p);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw error;
    }
    if (st.isSymbolicLink()) {
      throw new ShmContainmentError(
        `SHM path ${JSON.stringify(path)} has a symlink at ${JSON.stringify(p)}; symlinks below the allowed base are refused (FS-01): remove it`,
      );
    }
    if (i < components.length - 1 && !st.isDirectory()) {
      throw new ShmContainmentError(`SHM path ${JSON.stringify(path)}: ${JSON.stringify(p)} exists and is not a directory`);
    }
  }
}

/** containingBase + assertNoSymlinkBelow: the full driver-side check of §10.2 step 1 (FS-01). */
export function assertContained(path: string, allowedDirs: readonly string[]): void {
  assertNoSymlinkBelow(containingBase(path, allowedDirs), path);
}
