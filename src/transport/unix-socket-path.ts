/**
 * Claiming the control socket's path safely (docs/TRANSPORT.md §7). The socket is the driver's
 * front door: whoever can connect can attach, and with the token shut it down. So:
 *  - its directory is created 0o770 if missing, and an existing one must be ours and not
 *    world-writable (someone else could swap the socket for their own and impersonate the driver);
 *  - the path itself must be absent, or a socket: never a symlink or a regular file (we would
 *    unlink whatever it names);
 *  - a socket a live driver answers is never taken over; a stale one (its driver crashed) is.
 */
import { connect } from 'node:net';
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { TransportError, TransportErrorCode } from './transport-error.js';

/** Mode of directories created for the socket: user and group may enter, nobody else. */
export const SOCKET_DIR_MODE = 0o770;

function errno(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  }
}

function unsafe(message: string): TransportError {
  return new TransportError(TransportErrorCode.UNSAFE_PATH, message);
}

/** Creates missing directories one at a time with `mode` (chmod: the umask must not widen or narrow it). */
export function ensureSocketDir(dir: string, mode = SOCKET_DIR_MODE): void {
  const missing: string[] = [];
  for (let p = dir; lstatOrNull(p) === null; p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p, { mode });
      chmodSync(p, mode);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw unsafe(`cannot create the control socket directory ${p}: ${(e as Error).message}`);
    }
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw unsafe(`control socket directory ${dir} is a symlink; use the real directory`);
  if (!st.isDirectory()) throw unsafe(`control socket directory ${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw unsafe(`control socket directory ${dir} is owned by uid ${st.uid}, not by this user (uid ${uid}); use a directory you own`);
  }
  if ((st.mode & 0o002) !== 0) {
    throw unsafe(
      `control socket directory ${dir} is world-writable (mode ${(st.mode & 0o7777).toString(8)}); anyone could replace the socket: use a directory only you and your group can write`,
    );
  }
}

/** Whether something accepts connections on the socket at `path` (ECONNREFUSED → false: stale). */
export function probeSocket(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      // Accepting nothing within the timeout is still a live listener (e.g. a stalled driver).
      resolve(true);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      const code = errno(e);
      if (code === 'ECONNREFUSED' || code === 'ENOENT') resolve(false);
      else reject(unsafe(`cannot probe the control socket ${path}: ${e.message}`));
    });
  });
}

/**
 * Makes `path` ready for listen(): directory checked (created if missing), a stale socket
 * removed. Throws TransportError UNSAFE_PATH or IN_USE with a message for the operator.
 * Returns true when a stale socket was replaced.
 */
export async function claimSocketPath(path: string, dirMode = SOCKET_DIR_MODE): Promise<boolean> {
  ensureSocketDir(dirname(path), dirMode);
  const st = lstatOrNull(path);
  if (st === null) return false;
  if (st.isSymbolicLink()) throw unsafe(`control socket path ${path} is a symlink; remove it (the driver never follows links here)`);
  if (!st.isSocket()) throw unsafe(`control socket path ${path} exists and is not a socket; remove it or choose another driver.control_channel`);
  if (await probeSocket(path)) {
    throw new TransportError(
      TransportErrorCode.IN_USE,
      `another driver is already listening on unix:${path}; stop it first, or give this one another shm.namespace or driver.control_channel`,
    );
  }
  try {
    unlinkSync(path);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw unsafe(`cannot remove the stale control socket ${path}: ${(e as Error).message}`);
  }
  return true;
}
