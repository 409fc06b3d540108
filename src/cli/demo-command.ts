/**
 * `tensorpool demo` (issue 6): a driver (a child `tensorpool driver` in a temp base dir, or the
 * one at --control), a `tensorpool produce` and a `tensorpool consume --json` as separate
 * processes, and live frames/s, MiB/s and drops from the consumer's lines — one progress line
 * rewritten in place on a TTY, plain lines otherwise — until Ctrl-C or --duration.
 *
 * Drops are seq gaps within an epoch (frames the consumer never got: overwritten before it read
 * them, SHM_LAYOUT §5.4), so the demo needs nothing but the public commands' output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXIT_OK, UsageError } from './cli-errors.js';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { onStopSignal, parseStreamId } from './data-session.js';
import { parseDtype, parseShape } from './produce-command.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const STARTUP_MS = 10_000;
const STOP_MS = 3000;

interface Proc {
  readonly child: ChildProcess;
  readonly name: string;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function start(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, name, exited, stderr: () => err };
}

/** Resolves when `text()` matches, rejects when the process exits first or after `ms`. */
function waitFor(p: Proc, stream: NodeJS.ReadableStream, text: () => string, test: RegExp, ms: number, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = test.exec(text());
      if (m === null) return;
      cleanup();
      resolve(m);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${p.name}: no ${what} within ${ms} ms: ${p.stderr().trim().split('\n').slice(-2).join(' ')}`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', check);
    };
    stream.on('data', check);
    void p.exited.then(() => {
      cleanup();
      reject(new Error(`${p.name} exited before its ${what}: ${p.stderr().trim().split('\n').slice(-2).join(' ')}`));
    });
    check();
  });
}

/** SIGTERM, then SIGKILL if it is still there after STOP_MS. */
async function stop(p: Proc | undefined): Promise<void> {
  if (p === undefined || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), STOP_MS);
  await p.exited;
  clearTimeout(timer);
}

/** A pool stride (power of two, SHM_LAYOUT §4) that holds `bytes`, at least one 4 KiB page. */
function strideFor(bytes: number): number {
  let s = 4096;
  while (s < bytes) s *= 2;
  return s;
}

function driverToml(streamId: number, stride: number): string {
  return `[driver]
instance_id = "demo"
[policies]
prefault_shm = false
announce_period_ms = 1000
[profiles.demo]
header_nslots = 64
payload_pools = [{ pool_id = 1, stride_bytes = ${stride} }]
[streams.demo]
stream_id = ${streamId}
profile = "demo"
`;
}

/** Counts frames, bytes and seq gaps from `consume --json` lines. */
class Tally {
  frames = 0;
  bytes = 0;
  drops = 0;
  private epoch = '';
  private lastSeq = -1;

  line(text: string): void {
    let l: { seq?: unknown; epoch?: unknown; bytes?: unknown };
    try {
      l = JSON.parse(text) as typeof l;
    } catch {
      return;
    }
    if (typeof l.seq !== 'number' || typeof l.epoch !== 'string' || typeof l.bytes !== 'number') return;
    if (l.epoch === this.epoch && l.seq > this.lastSeq + 1) this.drops += l.seq - this.lastSeq - 1;
    this.epoch = l.epoch;
    this.lastSeq = l.seq;
    this.frames++;
    this.bytes += l.bytes;
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a driver, a producer and a consumer and show live frames/s, MiB/s and drops',
  help: `Usage: tensorpool demo [--shape A,B,..] [--dtype NAME] [--rate HZ] [--stream ID]
                      [--control CHANNEL] [--config FILE] [--duration S]

Runs a producer (tensorpool produce) and a consumer (tensorpool consume --json) as separate
processes on one stream, and a driver: the one at --control if given, else a tensorpool driver
child process in a fresh temporary base directory (under /dev/shm when it exists), removed at
exit. Shows frames/s, MiB/s and drops (seq gaps: frames overwritten before the consumer read
them) once a second — one line rewritten in place on a terminal, plain lines otherwise:
  demo: t=<s> frames/s=<n> MiB/s=<n> frames=<n> drops=<n>
until Ctrl-C (SIGINT/SIGTERM) or --duration, then the producer's and consumer's counters.

Options:
  --shape A,B,..       the tensor shape (default 480,640)
  --dtype NAME         the dtype, as for tensorpool produce (default uint8)
  --rate HZ            frames per second (default 100; 0 = as fast as possible)
  --stream ID          the stream id (default 10000; with --control it must exist there)
  --control CHANNEL    use the driver at this channel instead of starting one
  --config FILE        with --control: the configuration for allowed region directories
  --duration S         stop after S seconds (default: until Ctrl-C)
  -h, --help           show this help

Exit codes: 0 stopped, 1 a process failed to start, 2 bad arguments.`,

  async run(argv) {
    const { values } = parseCommandArgs('demo', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          shape: { type: 'string' },
          dtype: { type: 'string' },
          rate: { type: 'string' },
          stream: { type: 'string' },
          control: { type: 'string' },
          config: { type: 'string' },
          duration: { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${demoCommand.help}\n`);
      return EXIT_OK;
    }
    const shape = parseShape(values.shape ?? '480,640');
    const dtypeName = values.dtype ?? 'uint8';
    const { elementSize } = parseDtype(dtypeName);
    const bytes = shape.reduce((a, b) => a * b, 1) * elementSize;
    const rate = parseCount('rate', values.rate, 100);
    const streamId = parseStreamId(values.stream ?? '10000');
    const durationS = parseCount('duration', values.duration, 0);
    if (values.config !== undefined && values.control === undefined) throw new UsageError('--config goes with --control (the demo driver has its own)');

    const tty = process.stdout.isTTY === true;
    const out = (line: string): void => void process.stdout.write(`${line}\n`);
    let driver: Proc | undefined;
    let consumer: Proc | undefined;
    let producer: Proc | undefined;
    let baseDir: string | undefined;
    let endNow = (): void => undefined;
    const stopped = new Promise<void>((resolve) => {
      endNow = resolve;
      const remove = onStopSignal(() => {
        remove();
        resolve();
      });
    });
    try {
      let channel = values.control;
      let env: NodeJS.ProcessEnv = process.env;
      const configArgs = values.config === undefined ? [] : ['--config', values.config];
      if (channel === undefined) {
        baseDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tensorpool-demo-'));
        const toml = join(baseDir, 'demo.toml');
        writeFileSync(toml, driverToml(streamId, strideFor(bytes)));
        driver = start('driver', ['driver', '--config', toml, '--log-level', 'warn', '--set', `shm.base_dir=${baseDir}`, '--set', `shm.allowed_base_dirs=${baseDir}`, '--set', 'shm.namespace=demo'], process.env);
        const stdout = driver.child.stdout as NodeJS.ReadableStream;
        let text = '';
        stdout.on('data', (b: Buffer) => (text += b.toString()));
        const ready = await waitFor(driver, stdout, () => text, /tensorpool driver ready channel=(\S+)/, STARTUP_MS, 'ready line');
        channel = ready[1] as string;
        env = { ...process.env, SHM_BASE_DIR: baseDir };
        out(`demo: driver pid ${driver.child.pid ?? '?'} at ${channel} (base dir ${baseDir})`);
      } else {
        out(`demo: driver at ${channel}`);
      }

      const tally = new Tally();
      consumer = start('consumer', ['consume', '--stream', String(streamId), '--json', '--control', channel, ...configArgs], env);
      createInterface({ input: consumer.child.stdout as NodeJS.ReadableStream }).on('line', (l) => tally.line(l));
      const cerr = consumer.child.stderr as NodeJS.ReadableStream;
      await waitFor(consumer, cerr, () => consumer?.stderr() ?? '', / mapped\n/, STARTUP_MS, 'mapping');
      producer = start('producer', ['produce', '--stream', String(streamId), '--shape', shape.join(','), '--dtype', dtypeName, '--rate', String(rate), '--control', channel, ...configArgs], env);
      const perr = producer.child.stderr as NodeJS.ReadableStream;
      await waitFor(producer, perr, () => producer?.stderr() ?? '', / mapped\n/, STARTUP_MS, 'mapping');
      out(`demo: producer pid ${producer.child.pid ?? '?'} and consumer pid ${consumer.child.pid ?? '?'} on stream ${streamId}, ${shape.join('x')} ${dtypeName} (${bytes} bytes/frame), rate ${rate === 0 ? 'max' : `${rate} Hz`}${tty ? '; Ctrl-C to stop' : ''}`);

      // --duration counts from the first frame's publisher being up, not from the startup.
      if (durationS > 0) setTimeout(endNow, durationS * 1000).unref();
      const t0 = performance.now();
      let last = { t: t0, frames: 0, bytes: 0 };
      const report = (): void => {
        const now = performance.now();
        const dt = (now - last.t) / 1000;
        const fps = (tally.frames - last.frames) / dt;
        const mibs = (tally.bytes - last.bytes) / dt / 2 ** 20;
        last = { t: now, frames: tally.frames, bytes: tally.bytes };
        const line = `demo: t=${((now - t0) / 1000).toFixed(1)}s frames/s=${fps.toFixed(1)} MiB/s=${mibs.toFixed(mibs < 10 ? 2 : 1)} frames=${tally.frames} drops=${tally.drops}`;
        if (tty) process.stdout.write(`\r${line}\x1b[K`);
        else out(line);
      };
      const ticker = setInterval(report, 1000);
      // A child that dies ends the demo as a failure rather than showing zeros forever.
      const died = Promise.race([consumer.exited.then(() => 'consumer'), producer.exited.then(() => 'producer')]);
      const why = await Promise.race([stopped.then(() => null), died]);
      clearInterval(ticker);
      if (tty) process.stdout.write('\n');
      if (why !== null) {
        const p = why === 'consumer' ? consumer : producer;
        throw new Error(`the ${why} exited: ${p.stderr().trim().split('\n').slice(-1).join('')}`);
      }
      await stop(producer);
      await stop(consumer);
      const counters = (p: Proc, prefix: string): string => p.stderr().split('\n').filter((l) => l.startsWith(prefix) && l.includes('=')).slice(-1).join('');
      out(`demo: frames=${tally.frames} drops=${tally.drops} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      out(`demo: ${counters(producer, 'produce: published=')}`);
      out(`demo: ${counters(consumer, 'consume: read=')}`);
      return EXIT_OK;
    } finally {
      await stop(producer);
      await stop(consumer);
      await stop(driver);
      if (baseDir !== undefined) rmSync(baseDir, { recursive: true, force: true });
    }
  },
};
