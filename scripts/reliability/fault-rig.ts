/**
 * The running system the fault-injection suite breaks: a `tensorpool driver` child process, a
 * `tensorpool produce` process publishing the verification pattern on stream 10000, a
 * data-consumer fixture verifying every frame it is handed, and an observer connection recording
 * every announced epoch. Built from the system-test harness (test/system/system-harness.ts).
 *
 * "Disk nearly full" needs a small filesystem: the caller may put `shmDir` on a small tmpfs (the
 * suite does so inside a user + mount namespace, see fault-injection.ts) and says so with
 * `smallFs`; otherwise the disk-full fault is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRegionUri } from '../../src/shm/index.js';
import { requestStatus } from '../../src/transport/admin-client.js';
import type { StatusDocument } from '../../src/transport/status-document.js';
import { MAIN } from '../../test/cli/cli-harness.js';
import { withTimeout } from '../../test/transport/socket-harness.js';
import { ANNOUNCE_MS, ClientProcess, KEEPALIVE_MS, Observer, isAnnounce, startDriverProcess, type RunningDriver } from '../../test/system/system-harness.js';

export const STREAM = 10000;
/**
 * The first of the dynamic streams the disk-full fault asks for while the filesystem is full, a
 * new one each time: a stream with old epochs on disk would get its space back from epoch GC
 * (SHM_LAYOUT §10.2) and be provisioned after all.
 */
export const PROBE_STREAM = 20000;
export const FRAME_BYTES = 4096;
const NSLOTS = 64;
/** One epoch of a stream on disk: the header ring plus one pool (SHM_LAYOUT §1). */
export const EPOCH_BYTES = 64 + NSLOTS * 256 + 64 + NSLOTS * FRAME_BYTES;

const DATA_CONSUMER = fileURLToPath(new URL('../../test/system/fixtures/data-consumer.js', import.meta.url));

/** Wakes condition waiters whenever any child prints something. Every wait has a timeout. */
export class Pulse {
  private readonly waiters: { cond: () => boolean; resolve: () => void }[] = [];

  poke(): void {
    for (const w of this.waiters.splice(0)) {
      if (w.cond()) w.resolve();
      else this.waiters.push(w);
    }
  }

  wait(cond: () => boolean, ms: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.waiters.push({ cond, resolve }));
    return withTimeout(p, ms, what).finally(() => {
      const i = this.waiters.findIndex((w) => w.cond === cond);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }
}

/** A `tensorpool produce` process: its stderr lines and the epochs it mapped, in order. */
export class ProducerProcess {
  readonly mapped: bigint[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly spawnedAt = performance.now();
  /** Spawn → first `mapped` line (ms), once mapped. */
  mapMs: number | null = null;
  private err = '';

  constructor(
    readonly child: ChildProcess,
    pulse: Pulse,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => pulse.poke());
    child.stderr?.on('data', (d: Buffer) => {
      const before = this.err.length;
      this.err += d.toString();
      for (const m of this.err.slice(Math.max(0, this.err.lastIndexOf('\n', before - 1) + 1)).matchAll(/^produce: stream \d+ epoch (\d+) mapped$/gm)) {
        this.mapped.push(BigInt(m[1] as string));
        this.mapMs ??= performance.now() - this.spawnedAt;
      }
      pulse.poke();
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stderr(): string {
    return this.err;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }
}

export interface RigOptions {
  /** A private directory (0700) for the config, the socket and `shm/`, removed by the caller. */
  readonly root: string;
  /** True when `<root>/shm` is a small filesystem of its own (enables disk-full). */
  readonly smallFs: boolean;
  /** Producer rate in Hz for the steady state. */
  readonly rateHz?: number;
  /** Also check errors through a `tensorpool consume` process (one more node start per probe). */
  readonly cliProbes?: boolean;
}

export class FaultRig {
  readonly pulse = new Pulse();
  readonly root: string;
  /** The SHM base dir, as the driver and clients see it. */
  readonly shmDir: string;
  readonly channel: string;
  private readonly configFile: string;
  driver!: RunningDriver;
  producer!: ProducerProcess;
  consumer!: ClientProcess;
  observer: Observer | undefined;
  /** Called for every announce the observer sees (all driver incarnations). */
  onAnnounce: (streamId: number, epoch: bigint) => void = () => undefined;
  /** Every process spawned, for close(). */
  readonly children: { kill: (s?: NodeJS.Signals) => void }[] = [];
  /** Every producer and every data consumer spawned, in order. */
  readonly producers: ProducerProcess[] = [];
  readonly consumers: ClientProcess[] = [];
  driverStarts = 0;
  /** Spawn → first frame mapped of the last consumer that got there (ms): where "mid-attach" lies. */
  consumerMapMs = 1000;
  /** Dynamic streams the disk-full fault has asked for so far (each asks for a new one). */
  probeStreams = 0;
  private closing = false;

  private constructor(readonly options: RigOptions) {
    this.root = options.root;
    this.shmDir = join(this.root, 'shm');
    this.channel = `unix:${join(this.root, 'ctl.sock')}`;
    this.configFile = join(this.root, 'driver.toml');
    writeFileSync(
      this.configFile,
      `[driver]
instance_id = "faults"
stream_id_range = "${PROBE_STREAM}-${PROBE_STREAM + 999}"
[policies]
prefault_shm = true
allow_dynamic_streams = true
default_profile = "p"
[profiles.p]
header_nslots = ${NSLOTS}
payload_pools = [{ pool_id = 1, stride_bytes = ${FRAME_BYTES} }]
[streams.s]
stream_id = ${STREAM}
profile = "p"
`,
    );
  }

  static async start(options: RigOptions): Promise<FaultRig> {
    const rig = new FaultRig(options);
    try {
      await rig.startDriver();
      rig.spawnConsumer();
      rig.spawnProducer();
      await rig.waitFlowing(rig.producer, 10_000);
    } catch (e) {
      rig.close();
      throw e;
    }
    return rig;
  }

  async startDriver(): Promise<void> {
    this.driver = await startDriverProcess({
      baseDir: this.shmDir,
      namespace: 'fi',
      configFile: this.configFile,
      set: [`driver.control_channel=${this.channel}`],
    });
    this.driverStarts++;
    void this.driver.exited.then(() => this.pulse.poke());
    await this.connectObserver();
  }

  private async connectObserver(): Promise<void> {
    const o = await Observer.connect(this.channel);
    this.observer = o;
    const conn = o.conn;
    const prev = conn.onFrame;
    conn.onFrame = (f) => {
      prev?.(f);
      const last = o.seen[o.seen.length - 1];
      if (last !== undefined && isAnnounce(last)) this.onAnnounce(last.streamId, last.epoch);
      this.pulse.poke();
    };
  }

  get driverAlive(): boolean {
    return this.driver.child.exitCode === null && this.driver.child.signalCode === null;
  }

  /** kill -9 of the driver, then a new one on the same base dir and namespace. */
  async killDriver(): Promise<void> {
    this.observer?.close();
    this.driver.child.kill('SIGKILL');
    await withTimeout(this.driver.exited, 5000, 'the killed driver to exit');
  }

  /**
   * The environment for `tensorpool produce`/`consume`: the base dir, and the driver's short
   * keepalive and announce periods. Without them the CLI keeps alive once a second (the default)
   * while this driver expires a lease after 10 × 100 ms, and every producer lease would expire.
   */
  cliEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SHM_BASE_DIR: this.shmDir,
      POLICIES_LEASE_KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS),
      POLICIES_ANNOUNCE_PERIOD_MS: String(ANNOUNCE_MS),
    };
  }

  spawnProducer(rateHz: number | undefined = this.options.rateHz ?? 200): ProducerProcess {
    const args = [MAIN, 'produce', '--stream', String(STREAM), '--shape', String(FRAME_BYTES), '--control', this.channel, '--timeout', '15000'];
    if (rateHz !== undefined && rateHz > 0) args.push('--rate', String(rateHz));
    const p = new ProducerProcess(spawn(process.execPath, args, { env: this.cliEnv(), stdio: ['ignore', 'ignore', 'pipe'] }), this.pulse);
    this.children.push(p);
    this.producers.push(p);
    this.producer = p;
    return p;
  }

  /** Wakes the pulse on the process's lines and exit, and kills it in close(). */
  track(c: ClientProcess): ClientProcess {
    c.child.stdout?.on('data', () => setImmediate(() => this.pulse.poke()));
    void c.exited.then(() => this.pulse.poke());
    this.children.push(c);
    return c;
  }

  /** A data-consumer fixture on STREAM (not yet the rig's consumer unless `primary`). */
  spawnConsumer(primary = true): ClientProcess {
    const args = [DATA_CONSUMER, '--channel', this.channel, '--base-dir', this.shmDir, '--keepalive-ms', String(KEEPALIVE_MS), '--announce-period-ms', String(ANNOUNCE_MS)];
    const c = this.track(new ClientProcess(spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] })));
    const spawnedAt = performance.now();
    const onData = (): void => {
      if (!c.lines.some((l) => l.event === 'mapped')) return;
      this.consumerMapMs = performance.now() - spawnedAt;
      c.child.stdout?.off('data', onData);
    };
    c.child.stdout?.on('data', onData);
    this.consumers.push(c);
    if (primary) this.consumer = c;
    return c;
  }

  /** Resolves once the consumer has an intact frame of the producer's latest epoch (after line `from`). */
  async waitFlowing(p: ProducerProcess, ms: number, from = 0, c: ClientProcess = this.consumer, giveUp: () => boolean = () => false): Promise<bigint> {
    let epoch = 0n;
    await this.pulse.wait(
      () => {
        if (giveUp()) return true;
        const e = p.mapped[p.mapped.length - 1];
        if (e === undefined) return false;
        epoch = e;
        const want = e.toString();
        for (let i = c.lines.length - 1; i >= from; i--) {
          const l = c.lines[i];
          if (l?.event === 'frame' && l['epoch'] === want && l['bad'] === -1 && l['valid'] === true) return true;
        }
        return false;
      },
      ms,
      `frames flowing (consumer ${c.child.signalCode ?? c.child.exitCode ?? 'alive'}; producer pid ${p.child.pid} mapped ${p.mapped.join(',') || 'nothing'}; producer stderr: ${p.stderr().trim().slice(-300)}; consumer: ${JSON.stringify(c.lines.slice(-3))} ${c.stderr().trim().slice(-300)})`,
    );
    if (giveUp()) throw new Error('gave up waiting for frames');
    return epoch;
  }

  /** The driver's status document, asked on the observer connection. */
  async status(): Promise<StatusDocument> {
    if (this.observer === undefined) throw new Error('no observer connection');
    return requestStatus(this.observer.conn, 3000);
  }

  /** The region file paths (as the driver sees them) of the stream's current epoch. */
  async regionPaths(streamId = STREAM): Promise<string[]> {
    const s = (await this.status()).streams.find((x) => x.streamId === streamId);
    if (s === undefined || s.headerUri === null) return [];
    return [s.headerUri, ...s.poolUris].map((u) => parseRegionUri(u).path);
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.observer?.close();
    for (const c of this.children) c.kill('SIGKILL');
    this.driver?.child.kill('SIGKILL');
  }
}
