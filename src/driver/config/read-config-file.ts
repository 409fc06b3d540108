/**
 * Reading the TOML file named by `--config` / `loadConfig({ file })` without letting the path
 * hang or exhaust the process. `readFileSync` alone blocks forever on a FIFO with no writer and
 * reads `/dev/zero` until memory runs out; a driver that never prints its ready line nor an error
 * is worse than one that refuses. So the file is opened with O_NONBLOCK (a FIFO open returns at
 * once), the *opened* handle must be a regular file (a symlink to one is fine: the check is on
 * what was opened, not on the name), and its size is bounded.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Far above any real driver config (the CONFIG.md example is ~1.5 KiB). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file's text; throws an Error whose message says why (the loader wraps it in a ConfigError). */
export function readConfigFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`it is ${kindOf(st)}, not a regular file`);
    if (st.size > MAX_CONFIG_FILE_BYTES) throw new Error(`it is ${st.size} bytes, more than the ${MAX_CONFIG_FILE_BYTES}-byte limit for a config file`);
    // One byte more than fstat said, so a file that grows while being read is noticed, not cut.
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n === buf.length) throw new Error('it changed size while being read; try again');
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
