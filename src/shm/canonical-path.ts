/**
 * The canonical directory layout (SHM_LAYOUT.md §9, FS-02):
 * `<base>/tensorpool-<user>/<namespace>/<stream_id>/<epoch>/{header.ring,<pool_id>.pool}`.
 * Every component that comes from outside (user, namespace) is sanitised or rejected so that no
 * value can climb out of the base directory.
 */
import { userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { TensorpoolError } from '../errors.js';

export class ShmPathError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_PATH', message);
  }
}

const UNSAFE = /[^A-Za-z0-9._-]/g;
const HAS_UNSAFE = /[^A-Za-z0-9._-]/;

/**
 * The effective user's directory name: env USER, else USERNAME (as the RI), else the account
 * name of the effective uid (the RI says "unknown" here, so a driver started from a service
 * manager, where USER is often unset, and a client started from a shell would disagree on
 * the path), else "unknown". Every character outside [A-Za-z0-9._-] becomes `_`. It always
 * sits behind the `tensorpool-` prefix, so even "." or ".." cannot form a traversal component.
 */
export function sanitizeUser(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['USER'] || env['USERNAME'] || accountName() || 'unknown';
  return raw.replace(UNSAFE, '_');
}

function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no passwd entry for this uid (e.g. an arbitrary container uid)
  }
}

/**
 * Namespaces are checked, not rewritten: a namespace that would need sanitising is almost
 * certainly a mistake or an attack, and two namespaces must never map to one directory.
 */
export function checkNamespace(namespace: string): string {
  if (namespace === '' || namespace === '.' || namespace === '..' || HAS_UNSAFE.test(namespace)) {
    throw new ShmPathError(
      `invalid shm namespace ${JSON.stringify(namespace)}: use 1-64 characters from [A-Za-z0-9._-], not "." or ".."`,
    );
  }
  if (namespace.length > 64) {
    throw new ShmPathError(`invalid shm namespace ${JSON.stringify(namespace)}: longer than 64 characters`);
  }
  return namespace;
}

/** `<base>/tensorpool-<user>/<namespace>`: the directory a driver instance owns. */
export function namespaceDir(baseDir: string, user: string, namespace: string): string {
  if (!isAbsolute(baseDir)) throw new ShmPathError(`shm base dir must be absolute, got ${JSON.stringify(baseDir)}`);
  return join(baseDir, `tensorpool-${user.replace(UNSAFE, '_')}`, checkNamespace(namespace));
}

export function streamDir(nsDir: string, streamId: number): string {
  return join(nsDir, String(streamId >>> 0));
}

export function epochDir(nsDir: string, streamId: number, epoch: bigint): string {
  return join(streamDir(nsDir, streamId), epoch.toString(10));
}

export const HEADER_FILE = 'header.ring';

export function poolFile(poolId: number): string {
  return `${poolId & 0xffff}.pool`;
}
