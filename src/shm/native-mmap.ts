/**
 * Loader of the `tp_mmap` Node-API addon (native/tp_mmap.c, built by node-gyp into
 * `build/Release/tp_mmap.node` during `npm install`/`npm ci`). Loaded lazily on the first mapping,
 * so importing `tensorpool/shm` (the driver, the CLI) never needs the addon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShmMapError } from './shm-errors.js';

/** The addon's exports (see native/tp_mmap.c for what each guards). */
export interface NativeMmap {
  /** mmap(MAP_SHARED) of bytes [0, length) of `fd`; PROT_WRITE only when `writable`. */
  map(fd: number, length: number, writable: boolean): ArrayBuffer;
  /** Detaches the buffer (every view gets length 0), then munmaps. Throws for a foreign or already unmapped buffer. */
  unmap(buffer: ArrayBuffer): void;
  /** Whether the mapping has PROT_WRITE. */
  isWritable(buffer: ArrayBuffer): boolean;
  /** mlock(2) the whole mapping; throws with the errno code (EPERM, ENOMEM, EAGAIN). */
  mlock(buffer: ArrayBuffer): void;
  /**
   * One non-blocking send(2) of `bytes[offset, offset + length)` on socket `fd`: the bytes taken,
   * or -errno (-EAGAIN: socket buffer full). Never throws for I/O errors; allocates nothing.
   */
  send(fd: number, bytes: Uint8Array, offset: number, length: number): number;
}

const ADDON = join('build', 'Release', 'tp_mmap.node');

/**
 * The package root: the closest directory above this module with a package.json named
 * "tensorpool" (this file runs from dist/shm/ when installed, from <outDir>/src/shm/ in tests).
 */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tensorpool') return dir;
      } catch {
        // unreadable or not JSON: keep climbing
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isNativeMmap(value: unknown): value is NativeMmap {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['map', 'unmap', 'isWritable', 'mlock', 'send'].every((k) => typeof v[k] === 'function');
}

let loaded: NativeMmap | undefined;

/** The addon, loaded once; throws ShmMapError (TP_ERR_SHM_MAP_NATIVE) saying how to build it. */
export function nativeMmap(): NativeMmap {
  if (loaded !== undefined) return loaded;
  const root = packageRoot();
  const file = root === undefined ? undefined : join(root, ADDON);
  if (file === undefined || !existsSync(file)) {
    throw new ShmMapError(
      'NATIVE',
      `the tp_mmap addon is not built (looked for ${file ?? ADDON} in the tensorpool package): ` +
        'run `npm rebuild` in the tensorpool package (needs a C compiler, make and python3 for node-gyp)',
    );
  }
  let mod: unknown;
  try {
    mod = createRequire(import.meta.url)(file);
  } catch (error) {
    throw new ShmMapError(
      'NATIVE',
      `cannot load the tp_mmap addon ${file}: ${error instanceof Error ? error.message : String(error)}; ` +
        'run `npm rebuild` (it was probably built for another Node.js version or platform)',
      { cause: error },
    );
  }
  if (!isNativeMmap(mod)) {
    throw new ShmMapError('NATIVE', `${file} does not export map/unmap/isWritable/mlock/send; run \`npm rebuild\``);
  }
  loaded = mod;
  return mod;
}

/**
 * The addon, or null when it cannot be loaded: for callers with a portable fallback (the control
 * plane's frame writes fall back to `socket.write`), which must not fail where the data plane would.
 */
export function optionalNativeMmap(): NativeMmap | null {
  try {
    return nativeMmap();
  } catch {
    return null;
  }
}
