/**
 * Runs the compiled `tensorpool` command as a real process. main.js is found relative to this
 * file, so the tests work wherever tsc put the tree (.build/ for npm test, or a private outDir).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMALL_TOML, withTimeout } from '../transport/socket-harness.js';

export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command to completion (killed after `ms`). */
export function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env, ms = 8000): Promise<Result> {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return withTimeout(done, ms, `tensorpool ${args.join(' ')}`).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
}

export interface RunningDriver {
  readonly child: ChildProcess;
  readonly channel: string;
  readonly readyLine: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** A config file with small regions (8 slots, one 4 KiB pool) in `dir`. */
export function writeSmallConfig(dir: string): string {
  const file = join(dir, 'driver.toml');
  writeFileSync(file, SMALL_TOML);
  return file;
}

/**
 * `node …args` as [command, args], optionally under a wrapper command line such as
 * `env NODE_OPTIONS=…` or `nsenter -t PID -U -m --` (the wrapper must exec node, so that the
 * child's pid is node's and `kill -9` reaches it).
 */
export function nodeCommand(args: readonly string[], wrap: readonly string[] = []): { cmd: string; args: string[] } {
  const [cmd, ...pre] = wrap;
  return cmd === undefined ? { cmd: process.execPath, args: [...args] } : { cmd, args: [...pre, process.execPath, ...args] };
}

/** Starts `tensorpool driver …` (under `wrap`, see nodeCommand) and resolves once it has printed its ready line. */
export async function startDriver(args: readonly string[], ms = 5000, wrap: readonly string[] = []): Promise<RunningDriver> {
  const c = nodeCommand([MAIN, 'driver', ...args], wrap);
  const child = spawn(c.cmd, c.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('tensorpool driver ready '));
      if (line !== undefined) resolve(line);
    });
    void exited.then(({ code }) => reject(new Error(`driver exited with ${code} before it was ready: ${err.trim()}`)));
  });
  let readyLine: string;
  try {
    readyLine = await withTimeout(ready, ms, 'the driver ready line');
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const channel = /channel=(\S+)/.exec(readyLine)?.[1] ?? '';
  return { child, channel, readyLine, exited, stderr: () => err };
}
