/**
 * Helpers for the multi-process system tests: the driver as a `tensorpool driver` child process
 * (cli-harness), clients as `fixtures/client-process.js` child processes printing JSON lines, and
 * raw observer connections in the test process that decode every broadcast. Every wait is for a
 * line or a frame, with a timeout; nothing sleeps to synchronise. Paths are resolved from
 * import.meta.url, so this works from build/ (npm test) and from a private outDir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  MessageHeaderDecoder,
  ShmAttachResponseDecoder,
  ShmDetachResponseDecoder,
  ShmDriverShutdownDecoder,
  ShmLeaseRevokedDecoder,
  ShmPoolAnnounceDecoder,
} from '../../src/sbe/index.js';
import { connectUnix, type UnixControlConnection } from '../../src/transport/unix-socket-client.js';
import { startDriver, writeSmallConfig, type RunningDriver } from '../cli/cli-harness.js';
import { withTimeout } from '../transport/socket-harness.js';

export const CLIENT_PROCESS = fileURLToPath(new URL('./fixtures/client-process.js', import.meta.url));

/** Short intervals keep the tests fast; the lease lives 1 s (10 × 100 ms) so a busy VM does not expire it. */
export const KEEPALIVE_MS = 100;
export const ANNOUNCE_MS = 200;
export const TOKEN = 't';

export interface DriverOptions {
  readonly baseDir: string;
  readonly namespace: string;
  /** Extra `--set key=value` overrides. */
  readonly set?: readonly string[];
  /** A driver config file (default: the small profile, 8 slots of one 4 KiB pool). */
  readonly configFile?: string;
  /** `--log-level` (default debug; a fuzzer uses error, or the log of a million frames fills memory). */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/** `tensorpool driver` on the small test profile, with short intervals and a shutdown token. */
export function startDriverProcess(o: DriverOptions): Promise<RunningDriver> {
  const sets = [
    `shm.base_dir=${o.baseDir}`,
    `shm.allowed_base_dirs=${o.baseDir}`,
    `shm.namespace=${o.namespace}`,
    `policies.shutdown_token=${TOKEN}`,
    `policies.lease_keepalive_interval_ms=${KEEPALIVE_MS}`,
    'policies.lease_expiry_grace_intervals=10',
    `policies.announce_period_ms=${ANNOUNCE_MS}`,
    ...(o.set ?? []),
  ];
  return startDriver(['--config', o.configFile ?? writeSmallConfig(o.baseDir), '--log-level', o.logLevel ?? 'debug', ...sets.flatMap((s) => ['--set', s])], 8000);
}

/** One JSON line printed by the client fixture. */
export interface ClientLine {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A child process whose stdout is JSON lines; `next` waits for the next line matching a test. */
export class ClientProcess {
  readonly lines: ClientLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrText = '';
  private read = 0;
  private readonly waiters: { test: (l: ClientLine) => boolean; resolve: (l: ClientLine) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr?.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (text) => {
      let line: ClientLine;
      try {
        line = JSON.parse(text) as ClientLine;
      } catch {
        line = { event: 'non-json', text };
      }
      this.lines.push(line);
      this.wake();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stderr(): string {
    return this.stderrText;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) {
      const hit = this.scan(w.test);
      if (hit !== undefined) w.resolve(hit);
      else this.waiters.push(w);
    }
  }

  private scan(test: (l: ClientLine) => boolean): ClientLine | undefined {
    for (let i = this.read; i < this.lines.length; i++) {
      const l = this.lines[i] as ClientLine;
      if (test(l)) {
        this.read = i + 1;
        return l;
      }
    }
    return undefined;
  }

  /** The next line (after the last one `next` returned) that passes `test`. */
  next(test: ((l: ClientLine) => boolean) | string, ms = 5000, what = typeof test === 'string' ? test : 'a line'): Promise<ClientLine> {
    const t = typeof test === 'string' ? (l: ClientLine) => l.event === test : test;
    const hit = this.scan(t);
    if (hit !== undefined) return Promise.resolve(hit);
    return withTimeout(new Promise<ClientLine>((resolve) => this.waiters.push({ test: t, resolve })), ms, `${what} from client pid ${this.pid} (lines so far: ${JSON.stringify(this.lines.slice(-8))}; stderr: ${this.stderrText.trim()})`);
  }

  /** Lines with this event name, in order. */
  events(name: string): ClientLine[] {
    return this.lines.filter((l) => l.event === name);
  }

  send(command: string): void {
    this.child.stdin?.write(`${command}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export interface ClientOptions {
  readonly channel: string;
  readonly role: 'producer' | 'consumer';
  readonly streamId?: number;
  readonly clientId?: number;
}

export function spawnClient(o: ClientOptions): ClientProcess {
  const args = [
    CLIENT_PROCESS,
    '--channel', o.channel,
    '--role', o.role,
    '--stream', String(o.streamId ?? 10000),
    '--client-id', String(o.clientId ?? 0),
    '--keepalive-ms', String(KEEPALIVE_MS),
    '--announce-period-ms', String(ANNOUNCE_MS),
  ];
  return new ClientProcess(spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** A decoded broadcast seen by an observer connection. */
export type Observed =
  | { readonly kind: 'revoked'; readonly leaseId: bigint; readonly streamId: number; readonly clientId: number; readonly role: number; readonly reason: number }
  | { readonly kind: 'announce'; readonly streamId: number; readonly epoch: bigint; readonly producerId: number }
  | { readonly kind: 'shutdown'; readonly reason: number }
  | { readonly kind: 'attach'; readonly correlationId: bigint; readonly code: number; readonly leaseId: bigint | null; readonly streamId: number | null; readonly error: string }
  | { readonly kind: 'detach'; readonly correlationId: bigint; readonly code: number; readonly error: string }
  | { readonly kind: 'other'; readonly schemaId: number; readonly templateId: number };

/**
 * A raw control connection that holds no lease and decodes every frame the driver sends it: the
 * driver broadcasts revocations, announces and shutdown notices to every connection (TRANSPORT.md §3).
 */
export class Observer {
  readonly seen: Observed[] = [];
  /** The bytes of every frame in `seen`, same order (copies: for checks on the wire bytes). */
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<Error | null>;
  private read = 0;
  private readonly waiters: { test: (o: Observed) => boolean; resolve: (o: Observed) => void }[] = [];
  private readonly header = new MessageHeaderDecoder();
  private readonly revoked = new ShmLeaseRevokedDecoder();
  private readonly announce = new ShmPoolAnnounceDecoder();
  private readonly shutdown = new ShmDriverShutdownDecoder();
  private readonly attachResponse = new ShmAttachResponseDecoder();
  private readonly detachResponse = new ShmDetachResponseDecoder();

  private constructor(readonly conn: UnixControlConnection) {
    this.closed = new Promise((resolve) => (conn.onClose = resolve));
    conn.onFrame = (f) => {
      this.frames.push(f.slice());
      this.seen.push(this.decode(f));
      for (const w of this.waiters.splice(0)) {
        const hit = this.scan(w.test);
        if (hit !== undefined) w.resolve(hit);
        else this.waiters.push(w);
      }
    };
  }

  static async connect(channel: string): Promise<Observer> {
    return new Observer(await connectUnix(channel, { timeoutMs: 3000 }));
  }

  private decode(f: Uint8Array): Observed {
    this.header.wrap(f);
    const schemaId = this.header.schemaId();
    const templateId = this.header.templateId();
    if (schemaId === ShmLeaseRevokedDecoder.SCHEMA_ID && templateId === ShmLeaseRevokedDecoder.TEMPLATE_ID) {
      const r = this.revoked.wrap(f);
      return { kind: 'revoked', leaseId: r.leaseId(), streamId: r.streamId(), clientId: r.clientId(), role: r.role(), reason: r.reason() };
    }
    if (schemaId === ShmPoolAnnounceDecoder.SCHEMA_ID && templateId === ShmPoolAnnounceDecoder.TEMPLATE_ID) {
      const a = this.announce.wrap(f);
      return { kind: 'announce', streamId: a.streamId(), epoch: a.epoch(), producerId: a.producerId() };
    }
    if (schemaId === ShmDriverShutdownDecoder.SCHEMA_ID && templateId === ShmDriverShutdownDecoder.TEMPLATE_ID) {
      return { kind: 'shutdown', reason: this.shutdown.wrap(f).reason() };
    }
    // Responses reach only the requesting connection: an observer that sends requests sees them.
    if (schemaId === ShmAttachResponseDecoder.SCHEMA_ID && templateId === ShmAttachResponseDecoder.TEMPLATE_ID) {
      const a = this.attachResponse.wrap(f);
      return { kind: 'attach', correlationId: a.correlationId(), code: a.code(), leaseId: a.leaseId(), streamId: a.streamId(), error: a.errorMessage() };
    }
    if (schemaId === ShmDetachResponseDecoder.SCHEMA_ID && templateId === ShmDetachResponseDecoder.TEMPLATE_ID) {
      const d = this.detachResponse.wrap(f);
      return { kind: 'detach', correlationId: d.correlationId(), code: d.code(), error: d.errorMessage() };
    }
    return { kind: 'other', schemaId, templateId };
  }

  private scan(test: (o: Observed) => boolean): Observed | undefined {
    for (let i = this.read; i < this.seen.length; i++) {
      const o = this.seen[i] as Observed;
      if (test(o)) {
        this.read = i + 1;
        return o;
      }
    }
    return undefined;
  }

  /** The next observed frame (after the last one returned) that passes `test`. */
  next(test: (o: Observed) => boolean, ms = 5000, what = 'a frame'): Promise<Observed> {
    const hit = this.scan(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return withTimeout(new Promise<Observed>((resolve) => this.waiters.push({ test, resolve })), ms, `${what} on an observer connection`);
  }

  close(): void {
    this.conn.close();
  }
}

export const isAnnounce = (o: Observed): o is Extract<Observed, { kind: 'announce' }> => o.kind === 'announce';
export const isRevoked = (o: Observed): o is Extract<Observed, { kind: 'revoked' }> => o.kind === 'revoked';

/** Epoch of an `attached`/`raw-announce` line (printed as a decimal string). */
export function epochOf(l: ClientLine): bigint {
  if (typeof l['epoch'] !== 'string') throw new Error(`line has no epoch: ${JSON.stringify(l)}`);
  return BigInt(l['epoch']);
}

export type { RunningDriver };
