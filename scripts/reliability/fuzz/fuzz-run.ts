/**
 * The control-plane fuzzing run (issue #7), shared by `npm run reliability -- fuzz` and its short
 * version in `npm test`: a real `tensorpool driver` process, well-behaved clients in their own
 * processes, several fuzzing connections writing generated batches, an admin connection that
 * samples the driver's status and watches every announce, and the checks of invariants.ts during
 * and after the run.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { ShmPoolAnnounceDecoder, MessageHeaderDecoder } from '../../../src/sbe/index.js';
import { requestStatus } from '../../../src/transport/admin-client.js';
import { decodeStatusResponse } from '../../../src/transport/admin-codec.js';
import { parseChannel } from '../../../src/transport/channel.js';
import type { StatusDocument } from '../../../src/transport/status-document.js';
import { connectUnix, type UnixControlConnection } from '../../../src/transport/unix-socket-client.js';
import { writeSmallConfig } from '../../../test/cli/cli-harness.js';
import { startDriverProcess, KEEPALIVE_MS, type RunningDriver } from '../../../test/system/system-harness.js';
import { tempBase, withTimeout } from '../../../test/transport/socket-harness.js';
import { FuzzConnection } from './fuzz-connection.js';
import { buildBatch, type FuzzTarget, type Tally } from './generators.js';
import { GoodClients, GOOD_STREAMS } from './good-clients.js';
import { InvariantChecker } from './invariants.js';
import { Rng } from './rng.js';

export interface FuzzOptions {
  /** Length-prefixed units to write in all (framing breakers included). */
  readonly frames: number;
  readonly seed: number;
  /** Fuzzing connections open at once. */
  readonly connections: number;
  /** Well-behaved client processes (1..4). */
  readonly goodClients: number;
  /** `policies.revoke_on_disconnect`: off leaves fuzz leases to keepalive expiry. */
  readonly revokeOnDisconnect: boolean;
  /** Period of status samples while fuzzing. */
  readonly sampleEveryMs: number;
  /** The run fails if the frames are not all written within this. */
  readonly timeLimitMs: number;
  /** Progress lines (the long run prints them; the test does not). */
  readonly progress?: (line: string) => void;
}

export const DEFAULT_FUZZ_OPTIONS: FuzzOptions = {
  frames: 1_000_000,
  seed: 1,
  connections: 4,
  goodClients: 4,
  revokeOnDisconnect: true,
  sampleEveryMs: 500,
  timeLimitMs: 30 * 60_000,
};

export interface FuzzFigures {
  readonly seed: number;
  readonly frames: number;
  readonly bytes: number;
  readonly writes: number;
  readonly durationMs: number;
  readonly framesPerSecond: number;
  /** Frames per generator, and `mutated:<kind>` per mutation. */
  readonly generators: Record<string, number>;
  readonly connectionsOpened: number;
  /** Reconnects after a framing breaker closed the connection. */
  readonly reconnects: number;
  readonly framesFromDriver: number;
  readonly fuzzLeasesGranted: number;
  readonly statusSamples: number;
  readonly truncatedSamples: number;
  readonly invariantChecks: number;
  readonly announcesChecked: number;
  readonly goodClients: number;
  readonly goodClientLines: number;
  readonly driverRssStartKiB: number;
  readonly driverRssEndKiB: number;
  readonly driverExit: string;
  /** Largest driver event-loop delay seen in a status sample (ms; -1 when not reported). */
  readonly driverLoopMaxMs: number;
  readonly driverCounters: Readonly<Record<string, number>>;
  readonly transportCounters: Readonly<Record<string, number>>;
}

export interface FuzzReport {
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly figures: FuzzFigures;
}

/** The streams valid attaches name: the good clients' two, and two that only the fuzzer uses. */
const FUZZ_STREAMS = [...GOOD_STREAMS, 10002, 10003];
/** SMALL_TOML's stream_id_range. */
const DYNAMIC_RANGE: readonly [number, number] = [20000, 20099];
/** The fuzzer's client ids start here (the good clients use 7001..7004). */
const FUZZ_CLIENT_ID_BASE = 1_000_000;
const MAX_LEASES_PER_CONNECTION = 8;
const TERMINAL_CHANCE = 0.03;
/**
 * Leases live KEEPALIVE_MS × this (5 s) instead of the system tests' 1 s: this shared 2-vCPU VM
 * runs the driver, the fuzzer and four client processes at once, and a client descheduled for a
 * second is host overload, not something the fuzzed input did. (A driver stall longer than the
 * lifetime still expires leases whose keepalives wait unread: docs/reliability/fuzz.md.)
 */
const LEASE_GRACE_INTERVALS = 50;

function rssKiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

function alive(d: RunningDriver): boolean {
  return d.child.exitCode === null && d.child.signalCode === null;
}

/** Sums of the fuzzing workers. */
class Totals {
  frames = 0;
  bytes = 0;
  writes = 0;
  opened = 0;
  reconnects = 0;
  framesIn = 0;
  leasesGranted = 0;
  readonly tally: Tally = new Map();
}

interface Shared {
  readonly path: string;
  readonly options: FuzzOptions;
  readonly totals: Totals;
  readonly violations: string[];
  readonly open: Set<FuzzConnection>;
  stop: boolean;
  /** The largest event-loop delay the driver reported (-1: its status has no such figure). */
  loopMaxMs: number;
}

/**
 * The driver's largest event-loop delay since start, from the status document's `process`
 * figures when the driver reports them (src/transport/process-figures.ts), else -1.
 */
function loopMaxMs(doc: StatusDocument): number {
  const loop = (doc as { process?: { eventLoop?: { sinceStart?: { maxMs?: number } } | null } }).process?.eventLoop;
  return loop?.sinceStart?.maxMs ?? -1;
}

/**
 * One worker: a connection at a time, batches until its `budget` of frames is written,
 * reconnecting after breakers. Its own PRNG and budget make its batches a function of the seed
 * (only the ids in its lease traffic depend on what the driver answered, and when).
 */
async function fuzzWorker(s: Shared, index: number, budget: number): Promise<void> {
  const rng = new Rng((s.options.seed * 7919 + index) >>> 0);
  let clientId = FUZZ_CLIENT_ID_BASE + index * 10_000_000;
  let conn: FuzzConnection | null = null;
  const retire = (c: FuzzConnection): void => {
    s.totals.framesIn += c.framesIn;
    s.totals.leasesGranted += c.attachOk;
    if (c.unexpectedClose !== null && s.violations.length < 100) s.violations.push(`fuzz connection ${index}: ${c.unexpectedClose}`);
    s.open.delete(c);
  };
  try {
    while (!s.stop && budget > 0) {
      if (conn === null || !conn.open) {
        if (conn !== null) {
          retire(conn);
          s.totals.reconnects++;
        }
        conn = await FuzzConnection.open(s.path);
        s.open.add(conn);
        s.totals.opened++;
      }
      const c: FuzzConnection = conn;
      // Attaches asked for in this batch count against the cap: their answers come after it.
      let asked = 0;
      const target: FuzzTarget = {
        rng,
        leases: c.leases,
        streams: FUZZ_STREAMS,
        dynamicRange: DYNAMIC_RANGE,
        canAttach: () => c.leases.length + asked < MAX_LEASES_PER_CONNECTION,
        nextClientId: () => clientId++,
        noteAttach: (body) => {
          asked++;
          c.noteAttach(body);
        },
        forget: (lease) => c.forget(lease),
      };
      const batch = buildBatch(target, Math.min(budget, rng.range(16, 128)), TERMINAL_CHANCE, s.totals.tally);
      budget -= batch.frames;
      s.totals.frames += batch.frames;
      s.totals.bytes += batch.bytes.length;
      // Some batches reach the driver in pieces cut anywhere (mid-prefix, mid-message).
      const cuts: number[] = [];
      if (rng.chance(0.25)) {
        const n = rng.range(1, 3);
        for (let i = 0; i < n; i++) cuts.push(rng.range(1, batch.bytes.length - 1));
        cuts.sort((a, b) => a - b);
      }
      s.totals.writes += cuts.length + 1;
      if (batch.terminal !== null) c.breakerSent = true;
      await c.write(batch.bytes, cuts);
      if (batch.terminal !== null) await c.finish();
    }
  } finally {
    if (conn !== null) {
      conn.breakerSent = true; // our own close is expected
      conn.destroy();
      await conn.closed;
      retire(conn);
    }
  }
}

/**
 * Checks, in arrival order, every ShmPoolAnnounce (broadcasts reach every connection) and every
 * StatusResponse on the admin connection; `phase()` names the part of the run for violations.
 */
function watchAdmin(conn: UnixControlConnection, checker: InvariantChecker, phase: () => string): void {
  const header = new MessageHeaderDecoder();
  const announce = new ShmPoolAnnounceDecoder();
  conn.onFrame = (f) => {
    header.wrap(f);
    if (header.schemaId() === ShmPoolAnnounceDecoder.SCHEMA_ID && header.templateId() === ShmPoolAnnounceDecoder.TEMPLATE_ID) {
      const a = announce.wrap(f);
      checker.announce(a.streamId(), a.epoch());
      return;
    }
    const status = decodeStatusResponse(f);
    if (status !== null) checker.status(JSON.parse(status.document) as StatusDocument, `status ${checker.samples + 1} (${phase()})`);
  };
}

/** Polls status until `done(doc)` or `ms` passed; returns the last document. */
async function pollStatus(conn: UnixControlConnection, ms: number, done: (doc: StatusDocument) => boolean): Promise<StatusDocument> {
  const deadline = Date.now() + ms;
  for (let i = 0; ; i++) {
    const doc = await requestStatus(conn, 10_000);
    if (done(doc) || Date.now() >= deadline || i >= 5000) return doc;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a run learnt, filled in as it goes (a run cut short by an error still reports it). */
class RunState {
  durationMs = 0;
  goodClients = 0;
  goodClientLines = 0;
  rssStart = 0;
  rssEnd = 0;
  driverExit = 'not stopped';
  loopMaxMs = -1;
  last: StatusDocument | null = null;
}

function report(o: FuzzOptions, t: Totals, c: InvariantChecker, r: RunState, violations: readonly string[]): FuzzReport {
  const all = [...violations, ...c.violations];
  return {
    ok: all.length === 0,
    violations: all,
    figures: {
      seed: o.seed,
      frames: t.frames,
      bytes: t.bytes,
      writes: t.writes,
      durationMs: Math.round(r.durationMs),
      framesPerSecond: r.durationMs > 0 ? Math.round((t.frames * 1000) / r.durationMs) : 0,
      generators: Object.fromEntries([...t.tally.entries()].sort(([a], [b]) => a.localeCompare(b))),
      connectionsOpened: t.opened,
      reconnects: t.reconnects,
      framesFromDriver: t.framesIn,
      fuzzLeasesGranted: t.leasesGranted,
      statusSamples: c.samples,
      truncatedSamples: c.truncatedSamples,
      invariantChecks: c.checks,
      announcesChecked: c.announces,
      goodClients: r.goodClients,
      goodClientLines: r.goodClientLines,
      driverRssStartKiB: r.rssStart,
      driverRssEndKiB: r.rssEnd,
      driverExit: r.driverExit,
      driverLoopMaxMs: r.loopMaxMs,
      driverCounters: r.last?.counters.driver ?? {},
      transportCounters: r.last?.counters.transport ?? {},
    },
  };
}

/** Starts the driver on the small profile with the fuzzer's streams, an unguessable token, quiet logs. */
async function startFuzzDriver(dir: string, o: FuzzOptions): Promise<RunningDriver> {
  const configFile = writeSmallConfig(dir);
  appendFileSync(configFile, FUZZ_STREAMS.filter((id) => id !== 10000).map((id) => `[streams.fuzz${id}]\nstream_id = ${id}\nprofile = "small"\n`).join(''));
  return startDriverProcess({
    baseDir: dir,
    namespace: 'fuzz',
    configFile,
    logLevel: 'error',
    // A token the fuzzer cannot guess: every fuzzed shutdown request must be ignored.
    set: [
      `policies.shutdown_token=${randomBytes(32).toString('hex')}`,
      `policies.revoke_on_disconnect=${o.revokeOnDisconnect}`,
      `policies.lease_expiry_grace_intervals=${LEASE_GRACE_INTERVALS}`,
    ],
  });
}

/** Asks for status every `everyMs` while the workers run (watchAdmin checks the answers); `stop()` waits for the one in flight. */
function startSampler(d: RunningDriver, admin: UnixControlConnection, everyMs: number, shared: Shared): { stop(): Promise<void> } {
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight !== null) return;
    if (!alive(d)) {
      shared.stop = true;
      return;
    }
    inFlight = requestStatus(admin, 10_000)
      .then((doc) => {
        shared.loopMaxMs = Math.max(shared.loopMaxMs, loopMaxMs(doc));
      })
      .catch((e: unknown) => {
        shared.violations.push(`status query failed during the run: ${(e as Error).message}`);
      })
      .finally(() => (inFlight = null));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      if (inFlight !== null) await inFlight;
    },
  };
}

export async function runFuzz(options: Partial<FuzzOptions> = {}): Promise<FuzzReport> {
  const o: FuzzOptions = { ...DEFAULT_FUZZ_OPTIONS, ...options };
  const base = tempBase();
  const checker = new InvariantChecker();
  const violations: string[] = [];
  const totals = new Totals();
  const state = new RunState();
  let driver: RunningDriver | null = null;
  let admin: UnixControlConnection | null = null;
  let good: GoodClients | null = null;
  try {
    const d = (driver = await startFuzzDriver(base.dir, o));
    state.rssStart = rssKiB(d.child.pid);
    const adminConn = (admin = await connectUnix(d.channel, { timeoutMs: 5000 }));
    let phase = 'before fuzzing';
    watchAdmin(adminConn, checker, () => phase);
    adminConn.onClose = (cause) => {
      if (admin !== null) violations.push(`the admin connection closed: ${cause?.message ?? 'no error'}`);
    };
    good = await GoodClients.start(d.channel, o.goodClients);
    state.goodClients = good.count;
    await requestStatus(adminConn, 10_000);
    good.markStart();
    phase = 'fuzzing';

    const shared: Shared = { path: parseChannel(d.channel).path, options: o, totals, violations, open: new Set(), stop: false, loopMaxMs: -1 };
    const sampler = startSampler(d, adminConn, o.sampleEveryMs, shared);
    const started = performance.now();
    let lastReport = started;
    let lastFrames = 0;
    const reporter = setInterval(() => {
      const now = performance.now();
      o.progress?.(`fuzz: ${totals.frames} frames, ${Math.round(((totals.frames - lastFrames) * 1000) / (now - lastReport))} frames/s, ${totals.reconnects} reconnects, ${checker.samples} samples`);
      lastReport = now;
      lastFrames = totals.frames;
    }, 5000);
    const limit = setTimeout(() => {
      violations.push(`time limit: only ${totals.frames} of ${o.frames} frames written in ${o.timeLimitMs} ms`);
      shared.stop = true;
    }, o.timeLimitMs);
    try {
      const share = (i: number): number => Math.floor(o.frames / o.connections) + (i < o.frames % o.connections ? 1 : 0);
      await Promise.all(Array.from({ length: o.connections }, (_, i) => fuzzWorker(shared, i, share(i))));
    } catch (e) {
      violations.push(`fuzzing stopped: ${(e as Error).message}`);
      shared.stop = true;
      for (const c of shared.open) c.destroy();
    } finally {
      clearTimeout(limit);
      clearInterval(reporter);
      await sampler.stop();
    }
    // The fuzzer writes ahead of the driver: the run ends when the driver has read every byte,
    // that is, when it has seen every fuzz connection close (a close is read after the data).
    const expected = 1 + good.count;
    const drained = await pollStatus(adminConn, 120_000, (doc) => doc.totals.connections <= expected);
    if (drained.totals.connections > expected) violations.push(`fuzz connections still open 120 s after the last write: ${drained.totals.connections - expected}`);
    state.durationMs = performance.now() - started;
    state.loopMaxMs = shared.loopMaxMs;

    if (!alive(d)) throw new Error('the driver died during the run');
    phase = 'after fuzzing, good clients still attached';
    await requestStatus(adminConn, 10_000);
    violations.push(...good.problems());
    state.goodClientLines = good.linesSinceMark();
    await good.leave(10_000);
    phase = 'after every client left';
    // Leases die with their connection; with that policy off they wait for keepalive expiry.
    const lifetimeMs = KEEPALIVE_MS * LEASE_GRACE_INTERVALS;
    state.last = await pollStatus(adminConn, o.revokeOnDisconnect ? 5000 : lifetimeMs + 5000, (doc) => doc.totals.leases === 0);
    checker.quiescent(state.last, 'after every client left');
    state.rssEnd = rssKiB(d.child.pid);
    admin = null;
    adminConn.close();

    d.child.kill('SIGTERM');
    const exit = await withTimeout(d.exited, 10_000, 'the driver to stop on SIGTERM').catch(() => null);
    state.driverExit = exit === null ? 'did not stop on SIGTERM' : `code ${exit.code} signal ${exit.signal}`;
    if (exit === null || exit.code !== 0) violations.push(`driver stop: ${state.driverExit}`);
    if (d.stderr().trim() !== '') violations.push(`the driver logged errors: ${d.stderr().slice(0, 2000)}`);
  } catch (e) {
    violations.push(`run aborted: ${(e as Error).message}`);
    if (driver !== null) {
      const exit = alive(driver) ? 'still running' : `exited: code ${driver.child.exitCode} signal ${driver.child.signalCode}`;
      violations.push(`driver ${exit}; stderr tail: ${driver.stderr().slice(-3000)}`);
    }
  } finally {
    admin?.close();
    good?.kill();
    if (driver !== null && alive(driver)) driver.child.kill('SIGKILL');
    base.cleanup();
  }
  return report(o, totals, checker, state, violations);
}
