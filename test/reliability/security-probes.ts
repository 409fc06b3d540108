/**
 * What the security tests look at from the outside: file modes, what another user can open or
 * connect to (a child process run under another uid/gid, which needs root — callers skip
 * otherwise), the directory tree a driver left behind, and this process's memory mappings.
 */
import { execFile } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTimeout } from '../transport/socket-harness.js';

/** `nobody`: owns nothing the driver creates. With gid 0 it is in the driver's (root's) group. */
export const NOBODY = 65534;
export const IS_ROOT = process.getuid?.() === 0;

/** The permission bits (and setgid/sticky) of `path`, not following a symlink. */
export function modeOf(path: string): number {
  return lstatSync(path).mode & 0o7777;
}

/** Every directory and file below `root` (lstat: symlinks are listed, never followed). */
export function walk(root: string): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > 16) throw new Error(`directory tree under ${root} deeper than 16`);
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (lstatSync(p).isDirectory()) {
        dirs.push(p);
        visit(p, depth + 1);
      } else {
        files.push(p);
      }
    }
  };
  visit(root, 0);
  return { dirs, files };
}

/** What a process running as uid/gid could do: open `file` for reading, connect to `socket`. Errno codes or 'ok'. */
export interface ProbeResult {
  readonly open: string;
  readonly connect: string;
}

export interface ProbeTarget {
  readonly socket: string;
  readonly file: string;
}

const PROBE = `
const fs = require('node:fs');
const net = require('node:net');
const targets = JSON.parse(process.argv[1]);
const tryOpen = (f) => { try { fs.closeSync(fs.openSync(f, 'r')); return 'ok'; } catch (e) { return e.code; } };
const tryConnect = (p) => new Promise((resolve) => {
  const s = net.connect(p);
  const done = (r) => { s.destroy(); resolve(r); };
  s.once('connect', () => done('ok'));
  s.once('error', (e) => done(e.code));
});
Promise.all(targets.map(async (t) => ({ open: tryOpen(t.file), connect: await tryConnect(t.socket) })))
  .then((r) => process.stdout.write(JSON.stringify(r)));
`;

/** Runs one probe process as another user (root only: setuid needs CAP_SETUID); one result per target. */
export function probeAs(uid: number, gid: number, targets: readonly ProbeTarget[]): Promise<ProbeResult[]> {
  const result = new Promise<ProbeResult[]>((resolve, reject) => {
    execFile(process.execPath, ['-e', PROBE, JSON.stringify(targets)], { uid, gid, timeout: 8000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`probe as ${uid}:${gid} failed: ${error.message} ${stderr}`));
      else resolve(JSON.parse(stdout) as ProbeResult[]);
    });
  });
  return withTimeout(result, 9000, `the probe as ${uid}:${gid}`);
}

/** Lines of /proc/self/maps naming a file under `dir` (the mappings this process holds there). */
export function mappingsUnder(dir: string): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes(`${dir}/`));
}
