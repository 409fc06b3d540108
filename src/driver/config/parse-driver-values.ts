/**
 * Parsers for the `[driver]`/`[shm]` values that carry tensorpool-specific rules: Unix-socket
 * channels, absolute directories and octal permission strings.
 */
import { isAbsolute, resolve } from 'node:path';
import { ValueProblem } from './config-error.js';
import { parseString, type ValueForm } from './parse-value.js';

/** Linux `sun_path` holds 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

const AERON_CHANNEL =
  "is an Aeron channel; tensorpool's control plane is a Unix stream socket, not Aeron: use unix:<absolute path>";

/** `unix:<absolute path>`: tensorpool's control plane is a local stream socket (CONFIG.md preamble). */
export function parseChannel(value: unknown): string {
  const channel = parseString(value);
  if (channel.startsWith('aeron:') || channel.startsWith('aeron-spy:')) throw new ValueProblem(AERON_CHANNEL);
  if (!channel.startsWith('unix:')) throw new ValueProblem('must be unix:<absolute path>');
  const path = channel.slice('unix:'.length);
  if (!isAbsolute(path) || path.includes('\0')) throw new ValueProblem('must be unix:<absolute path>');
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new ValueProblem(`socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the Unix socket path limit`);
  }
  return channel;
}

/** An absolute directory, normalised with path.resolve (V15 compares normalised paths). */
export function parseAbsoluteDir(value: unknown): string {
  const dir = parseString(value);
  if (!isAbsolute(dir) || dir.includes('\0')) throw new ValueProblem('must be an absolute path');
  return resolve(dir);
}

/** `shm.allowed_base_dirs`: an array of absolute directories (TOML-only; overrides may set it). */
export function parseDirList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ValueProblem('must be an array of absolute paths');
  return value.map((v: unknown) => {
    try {
      return parseAbsoluteDir(v);
    } catch {
      throw new ValueProblem('must be an array of absolute paths');
    }
  });
}

const OCTAL_MODE = /^[0-7]{3,4}$/;

/** `shm.permissions_mode`: a string of 3–4 octal digits; a TOML integer 660 would be decimal. */
export function parseOctalMode(value: unknown, form: ValueForm): number {
  if (typeof value !== 'string') {
    throw new ValueProblem(
      form === 'text' ? 'must be 3-4 octal digits' : 'must be a string of 3-4 octal digits such as "660" (an integer would be read as decimal)',
    );
  }
  if (!OCTAL_MODE.test(value)) throw new ValueProblem('must be 3-4 octal digits such as "660"');
  return Number.parseInt(value, 8);
}

/** Whether `dir` is `root` or lies below it (both already normalised). */
export function isInside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);
}
