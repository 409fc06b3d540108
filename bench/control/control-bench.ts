/**
 * `npm run bench -- control`: the control plane end to end — a `tensorpool driver` child process
 * on a Unix socket in a temp dir, driven by this process over raw sockets — against a baseline
 * child process (raw-server.ts) that only frames and parses the same bytes.
 *
 * 1. Keepalives/s: 1,000 leases over 4 connections, each connection writing its leases'
 *    keepalives back to back as fast as the socket takes them for a fixed time; the server then
 *    reports how many it handled (driver: admin status `keepalives`; baseline: its count).
 *    Rate = handled / (first write → last count answer). Must: driver ≥ 0.5 × baseline.
 * 2. Attach round trip with those 1,000 leases active: sequential ShmAttachRequest (35 B) →
 *    ShmAttachResponse (235 B), each followed by an untimed detach, vs a ping-pong of the same
 *    sizes with the baseline, in alternating blocks of 100. Must: driver p99 ≤ 3 × baseline p99.
 * 3. kill -9 of a producer process (test/system/fixtures/client-process.js) → a consumer
 *    connection here receiving the announce of the bumped epoch, 20 runs. Goal: p99 < 50 ms.
 *
 * Children are killed in `finally`; every wait has a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  HugepagesPolicy,
  Role,
  ShmAttachRequestEncoder,
  ShmAttachResponseDecoder,
  ShmDetachRequestEncoder,
  ShmDetachResponseDecoder,
  ShmLeaseKeepaliveEncoder,
  ShmPoolAnnounceDecoder,
} from '../../src/sbe/index.js';
import { decodeStatusResponse, encodeStatusRequest, STATUS_REQUEST_TEMPLATE_ID, ADMIN_SCHEMA_ID } from '../../src/transport/admin-codec.js';
import { encodeFrame } from '../../src/transport/length-prefix-framing.js';
import type { StatusDocument } from '../../src/transport/status-document.js';
import { printTable } from '../lib/measure.js';
import type { SuiteResult } from '../run.js';
import { FrameConn, isMessage, type FrameTest } from './frame-conn.js';
import { REPLY_BYTES } from './raw-server.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const RAW_SERVER = fileURLToPath(new URL('./raw-server.js', import.meta.url));
const CLIENT_PROCESS = fileURLToPath(new URL('../../test/system/fixtures/client-process.js', import.meta.url));

/**
 * Small regions without prefaulting, so a new epoch costs a few small files: the numbers are the
 * control plane's, not page faulting of a 64 MiB pool (the default profile).
 */
const BENCH_TOML = `
[driver]
instance_id = "bench"
[policies]
default_profile = "small"
prefault_shm = false
announce_period_ms = 1000
lease_keepalive_interval_ms = 1000
lease_expiry_grace_intervals = 3600
[profiles.small]
header_nslots = 8
payload_pools = [{ pool_id = 1, stride_bytes = 4096 }]
[streams.s]
stream_id = 10000
profile = "small"
`;

const STREAM = 10000;
const LEASES = 1000;
const CONNECTIONS = 4;
const KEEPALIVE_BYTES = 33;
const ATTACH_REQUEST_BYTES = 35;

// ---- child processes -------------------------------------------------------------------------

interface Child {
  readonly child: ChildProcess;
  readonly lines: AsyncIterableIterator<string>;
  stderr(): string;
}

function spawnChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return { child, lines: rl[Symbol.asyncIterator](), stderr: () => err };
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The next stdout line passing `test`. */
async function lineMatching(c: Child, test: (line: string) => boolean, ms: number, what: string): Promise<string> {
  const read = async (): Promise<string> => {
    for (;;) {
      const r = await c.lines.next();
      if (r.done === true) throw new Error(`${what}: the process ended (${c.stderr().trim()})`);
      if (test(r.value)) return r.value;
    }
  };
  return timeout(read(), ms, what);
}

function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => c.once('exit', () => resolve()));
}

// ---- messages --------------------------------------------------------------------------------

function attachRequest(clientId: number, correlationId: number, role: Role = Role.CONSUMER): Uint8Array {
  const b = new Uint8Array(64);
  const n = new ShmAttachRequestEncoder()
    .wrapAndApplyHeader(b)
    .correlationIdNumber(correlationId)
    .streamId(STREAM)
    .clientId(clientId)
    .role(role)
    .expectedLayoutVersion(0)
    .publishMode(null)
    .requireHugepages(HugepagesPolicy.UNSPECIFIED)
    .desiredNodeId(null)
    .finish();
  if (n !== ATTACH_REQUEST_BYTES) throw new Error(`attach request is ${n} bytes, expected ${ATTACH_REQUEST_BYTES}`);
  return b.subarray(0, n);
}

function detachRequest(leaseId: number, clientId: number, correlationId: number): Uint8Array {
  const b = new Uint8Array(64);
  const n = new ShmDetachRequestEncoder().wrapAndApplyHeader(b).correlationIdNumber(correlationId).leaseIdNumber(leaseId).streamId(STREAM).clientId(clientId).role(Role.CONSUMER).finish();
  return b.subarray(0, n);
}

const attachResponse = new ShmAttachResponseDecoder();
const isAttachResponse = (b: Uint8Array, off: number): boolean => isMessage(b, off, ShmAttachResponseDecoder.SCHEMA_ID, ShmAttachResponseDecoder.TEMPLATE_ID);
const isDetachResponse = (b: Uint8Array, off: number): boolean => isMessage(b, off, ShmDetachResponseDecoder.SCHEMA_ID, ShmDetachResponseDecoder.TEMPLATE_ID);

/** Attaches `count` consumer leases (clientIds from `firstClientId`) spread over `conns`, pipelined. */
export async function attachMany(conns: readonly FrameConn[], firstClientId: number, count: number): Promise<{ leaseId: number; clientId: number }[]> {
  const leases: { leaseId: number; clientId: number }[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const c of conns) {
    c.onFrame = (b, off, len) => {
      if (!isAttachResponse(b, off)) return false;
      const r = attachResponse.wrap(b, off, len);
      const leaseId = r.leaseIdNumber();
      if (r.code() !== 0 || leaseId === null) throw new Error(`attach refused: ${r.errorMessage()}`);
      leases.push({ leaseId, clientId: r.correlationIdNumber() });
      if (leases.length === count) done();
      return false;
    };
  }
  for (let i = 0; i < count; i++) (conns[i % conns.length] as FrameConn).send(attachRequest(firstClientId + i, firstClientId + i));
  await timeout(all, 30_000, `${count} attach responses`);
  for (const c of conns) c.onFrame = null;
  leases.sort((a, b) => a.clientId - b.clientId);
  return leases;
}

// ---- servers ---------------------------------------------------------------------------------

interface Servers {
  readonly dir: string;
  readonly driver: Child;
  readonly driverPath: string;
  readonly raw: Child;
  readonly rawPath: string;
}

async function startServers(): Promise<Servers> {
  // tmpfs, where the driver's regions live in production (/dev/shm/tensorpool by default): a new
  // epoch then costs no disk I/O, which on this VM's shared disk would dominate kill -> announce.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tpb-'));
  const toml = join(dir, 'bench.toml');
  writeFileSync(toml, BENCH_TOML);
  const driver = spawnChild([CLI, 'driver', '--config', toml, '--log-level', 'warn', '--set', `shm.base_dir=${dir}`, '--set', `shm.allowed_base_dirs=${dir}`, '--set', 'shm.namespace=bench']);
  const rawPath = join(dir, 'raw.sock');
  const raw = spawnChild([RAW_SERVER, rawPath]);
  const ready = await lineMatching(driver, (l) => l.startsWith('tensorpool driver ready '), 15_000, 'the driver ready line');
  const channel = /channel=unix:(\S+)/.exec(ready)?.[1];
  if (channel === undefined) throw new Error(`no channel in ${ready}`);
  await lineMatching(raw, (l) => l === 'raw-server ready', 15_000, 'the baseline server');
  return { dir, driver, driverPath: channel, raw, rawPath };
}

// ---- 1. keepalive throughput -----------------------------------------------------------------

interface Load {
  readonly conns: readonly FrameConn[];
  /** Per connection: its leases' keepalives, framed, repeated to ~64 KiB. */
  readonly chunks: readonly Buffer[];
  readonly framesPerChunk: readonly number[];
}

export function keepaliveLoad(conns: readonly FrameConn[], leases: readonly { leaseId: number; clientId: number }[]): Load {
  const enc = new ShmLeaseKeepaliveEncoder();
  const msg = new Uint8Array(KEEPALIVE_BYTES);
  const chunks: Buffer[] = [];
  const framesPerChunk: number[] = [];
  conns.forEach((_, ci) => {
    const mine = leases.filter((_l, i) => i % conns.length === ci);
    const one = Buffer.concat(
      mine.map((l) => {
        enc.wrapAndApplyHeader(msg).leaseIdNumber(l.leaseId).streamId(STREAM).clientId(l.clientId).role(Role.CONSUMER).clientTimestampNsNumber(0).finish();
        return encodeFrame(msg);
      }),
    );
    const copies = Math.max(1, Math.floor((64 * 1024) / one.length));
    chunks.push(Buffer.concat(Array.from({ length: copies }, () => one)));
    framesPerChunk.push(copies * mine.length);
  });
  return { conns, chunks, framesPerChunk };
}

/** Writes the chunks on every connection for `ms`, waiting for 'drain' whenever a socket is full. */
async function blast(load: Load, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let sent = 0;
  await Promise.all(
    load.conns.map(async (c, i) => {
      const chunk = load.chunks[i] as Buffer;
      const frames = load.framesPerChunk[i] as number;
      while (performance.now() < end) {
        sent += frames;
        if (!c.write(chunk)) await c.drained();
      }
    }),
  );
  return sent;
}

let correlation = 1n;

/** Asks every connection for the server's count; the largest answer is the total (see below). */
async function counts(conns: readonly FrameConn[], read: (b: Uint8Array, off: number, len: number) => number | null): Promise<number> {
  // Each connection's answer comes after every frame that connection sent, so the answer the
  // server produced last covers all of them: the maximum is the total handled.
  const answers = await Promise.all(
    conns.map((c) => {
      let value = 0;
      const id = correlation++;
      const p = c.until((b, off, len) => {
        const v = read(b, off, len);
        if (v === null) return false;
        value = v;
        return true;
      }, 30_000, 'a count');
      c.send(encodeStatusRequest(id));
      return p.then(() => value);
    }),
  );
  return Math.max(...answers);
}

export const driverKeepalives = (b: Uint8Array, off: number, len: number): number | null => {
  const r = decodeStatusResponse(b.subarray(off, off + len));
  if (r === null) return null;
  const doc = JSON.parse(r.document) as StatusDocument;
  return doc.counters.driver['keepalives'] ?? 0;
};

const baselineCount = (b: Uint8Array, off: number): number | null => {
  if (!isMessage(b, off, ADMIN_SCHEMA_ID, STATUS_REQUEST_TEMPLATE_ID + 1)) return null;
  return new DataView(b.buffer, b.byteOffset + off).getFloat64(16, true);
};

interface Rate {
  readonly handled: number;
  readonly sent: number;
  readonly seconds: number;
  readonly perSec: number;
  /** The server process's CPU time (user + system) per frame handled, or null off Linux. */
  readonly serverCpuNsPerFrame: number | null;
}

/** CPU time (user + system, ms) of process `pid` from /proc, or null where there is no /proc. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux we run on.
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

export async function keepaliveRound(load: Load, ms: number, read: (b: Uint8Array, off: number, len: number) => number | null, serverPid?: number): Promise<Rate> {
  const before = await counts(load.conns, read);
  const cpu0 = cpuMs(serverPid);
  const t0 = performance.now();
  const sent = await blast(load, ms);
  const after = await counts(load.conns, read);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuMs(serverPid);
  const handled = after - before;
  if (handled !== sent) throw new Error(`server handled ${handled} of ${sent} keepalives sent`);
  const serverCpuNsPerFrame = cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1e6) / handled;
  return { handled, sent, seconds, perSec: handled / seconds, serverCpuNsPerFrame };
}

// ---- 2. attach round trip --------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

interface Latency {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

function summarise(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s[s.length - 1] as number, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

let nextRttClientId = 100_000;

/** `n` sequential attach → response round trips (µs, timed), each followed by an untimed detach. */
export async function driverAttachCycles(conn: FrameConn, n: number): Promise<number[]> {
  const samples: number[] = [];
  let leaseId = 0;
  let correlationId = 0;
  const isMine: FrameTest = (b, off, len) => {
    if (!isAttachResponse(b, off)) return false;
    const r = attachResponse.wrap(b, off, len);
    if (r.correlationIdNumber() !== correlationId) return false;
    if (r.code() !== 0) throw new Error(`attach refused: ${r.errorMessage()}`);
    leaseId = r.leaseIdNumber() ?? 0;
    return true;
  };
  for (let i = 0; i < n; i++) {
    const clientId = nextRttClientId++;
    correlationId = clientId;
    const req = attachRequest(clientId, correlationId);
    const got = conn.until(isMine, 5000, 'an attach response');
    const t0 = process.hrtime.bigint();
    conn.send(req);
    await got;
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    // Back to 1,000 active leases before the next sample.
    const detached = conn.until(isDetachResponse, 5000, 'a detach response');
    conn.send(detachRequest(leaseId, clientId, clientId));
    await detached;
  }
  return samples;
}

/** `n` round trips of the same sizes against the baseline: 35-byte request, REPLY_BYTES-byte reply (µs). */
export async function pingPongCycles(conn: FrameConn, n: number): Promise<number[]> {
  const samples: number[] = [];
  const isReply: FrameTest = (_b, _off, len) => len === REPLY_BYTES;
  for (let i = 0; i < n; i++) {
    const req = attachRequest(100_000 + i, 100_000 + i);
    const got = conn.until(isReply, 5000, 'a baseline reply');
    const t0 = process.hrtime.bigint();
    conn.send(req);
    await got;
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return samples;
}

/**
 * Attach RTT and ping-pong in alternating blocks of 100, after `warmup` untimed cycles of each:
 * a burst of load from the VM's other tenants then lands on both sides' tails alike.
 */
async function roundTrips(rttConn: FrameConn, pingConn: FrameConn, cycles: number, warmup: number): Promise<{ driver: Latency; baseline: Latency }> {
  await driverAttachCycles(rttConn, warmup);
  await pingPongCycles(pingConn, warmup);
  const d: number[] = [];
  const b: number[] = [];
  for (let done = 0; done < cycles; done += 100) {
    const n = Math.min(100, cycles - done);
    d.push(...(await driverAttachCycles(rttConn, n)));
    b.push(...(await pingPongCycles(pingConn, n)));
  }
  return { driver: summarise(d), baseline: summarise(b) };
}

// ---- 3. kill -9 → epoch-bumped announce --------------------------------------------------------

async function killToAnnounce(driverPath: string, runs: number): Promise<Latency> {
  const consumer = await FrameConn.connect(driverPath);
  const announce = new ShmPoolAnnounceDecoder();
  let waiting: { above: bigint; resolve: (t: bigint) => void } | null = null;
  consumer.onFrame = (b, off, len) => {
    if (waiting === null || !isMessage(b, off, ShmPoolAnnounceDecoder.SCHEMA_ID, ShmPoolAnnounceDecoder.TEMPLATE_ID)) return false;
    const t = process.hrtime.bigint();
    const a = announce.wrap(b, off, len);
    if (a.streamId() === STREAM && a.epoch() > waiting.above) {
      const w = waiting;
      waiting = null;
      w.resolve(t);
    }
    return false;
  };
  // The consumer holds a lease of its own, as a real consumer would.
  const attached = consumer.until(isAttachResponse, 5000, 'the consumer attach');
  consumer.send(attachRequest(5000, 5000));
  await attached;
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const p = spawnChild([CLIENT_PROCESS, '--channel', `unix:${driverPath}`, '--role', 'producer', '--client-id', String(9000 + i), '--keepalive-ms', '1000', '--announce-period-ms', '1000']);
      try {
        const line = await lineMatching(p, (l) => l.startsWith('{"event":"attached"'), 10_000, 'the producer attach');
        const epoch = BigInt((JSON.parse(line) as { epoch: string }).epoch);
        const arrived = new Promise<bigint>((resolve) => (waiting = { above: epoch, resolve }));
        const t0 = process.hrtime.bigint();
        p.child.kill('SIGKILL');
        const t1 = await timeout(arrived, 5000, 'the epoch-bumped announce');
        samples.push(Number(t1 - t0) / 1e6);
      } finally {
        p.child.kill('SIGKILL');
        await exited(p.child);
      }
    }
  } finally {
    consumer.close();
  }
  return summarise(samples);
}

// ---- the suite -------------------------------------------------------------------------------

const fmtRate = (r: number): string => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} k/s`);
const fmtUs = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);

export async function run(): Promise<SuiteResult> {
  const quick = process.env['TP_BENCH_QUICK'] === '1';
  const roundMs = quick ? 1000 : 3000;
  const rounds = quick ? 1 : 2;
  const cycles = quick ? 500 : 2000;
  const warmup = quick ? 50 : 200;
  const killRuns = quick ? 5 : 20;
  const s = await startServers();
  const conns: FrameConn[] = [];
  try {
    // 1,000 active leases over 4 connections; the baseline gets 4 connections too.
    const driverConns = await Promise.all(Array.from({ length: CONNECTIONS }, () => FrameConn.connect(s.driverPath)));
    const rawConns = await Promise.all(Array.from({ length: CONNECTIONS }, () => FrameConn.connect(s.rawPath)));
    conns.push(...driverConns, ...rawConns);
    const leases = await attachMany(driverConns, 1, LEASES);
    const driverLoad = keepaliveLoad(driverConns, leases);
    const rawLoad = keepaliveLoad(rawConns, leases);

    // One untimed round each first, so both servers' hot paths are compiled before timing.
    await keepaliveRound(driverLoad, roundMs / 2, driverKeepalives);
    await keepaliveRound(rawLoad, roundMs / 2, baselineCount);
    // Alternating rounds, best of each: load from the VM's other tenants falls on both alike.
    let bestDriver: Rate | null = null;
    let bestRaw: Rate | null = null;
    for (let r = 0; r < rounds; r++) {
      const d = await keepaliveRound(driverLoad, roundMs, driverKeepalives, s.driver.child.pid);
      const b = await keepaliveRound(rawLoad, roundMs, baselineCount, s.raw.child.pid);
      if (bestDriver === null || d.perSec > bestDriver.perSec) bestDriver = d;
      if (bestRaw === null || b.perSec > bestRaw.perSec) bestRaw = b;
    }
    if (bestDriver === null || bestRaw === null) throw new Error('no keepalive rounds ran');
    const kaRatio = bestDriver.perSec / bestRaw.perSec;

    const rttConn = await FrameConn.connect(s.driverPath);
    const pingConn = await FrameConn.connect(s.rawPath);
    conns.push(rttConn, pingConn);
    const { driver: attachRtt, baseline: pingPong } = await roundTrips(rttConn, pingConn, cycles, warmup);
    const rttRatio = attachRtt.p99 / pingPong.p99;

    const kill = await killToAnnounce(s.driverPath, killRuns);

    console.log(`\nControl plane: driver process vs raw socket baseline process (Unix socket, ${LEASES} leases over ${CONNECTIONS} connections)\n`);
    printTable(
      ['measure', 'driver', 'baseline', 'ratio', 'requirement', 'met'],
      [
        ['keepalives handled', fmtRate(bestDriver.perSec), fmtRate(bestRaw.perSec), `${kaRatio.toFixed(2)}x`, 'must >= 0.5x baseline', kaRatio >= 0.5 ? 'yes' : 'NO'],
        [`attach RTT p50 (${cycles})`, fmtUs(attachRtt.p50), fmtUs(pingPong.p50), `${(attachRtt.p50 / pingPong.p50).toFixed(2)}x`, '', ''],
        [`attach RTT p99 (${cycles})`, fmtUs(attachRtt.p99), fmtUs(pingPong.p99), `${rttRatio.toFixed(2)}x`, 'must <= 3x baseline p99', rttRatio <= 3 ? 'yes' : 'NO'],
        [`kill -9 -> announce p50 (${kill.n})`, `${kill.p50.toFixed(2)} ms`, '', '', '', ''],
        [`kill -9 -> announce p99 (${kill.n})`, `${kill.p99.toFixed(2)} ms`, '', '', 'goal < 50 ms', kill.p99 < 50 ? 'yes' : 'no'],
      ],
    );
    const cpu = (r: Rate): string => (r.serverCpuNsPerFrame === null ? 'n/a' : `${r.serverCpuNsPerFrame.toFixed(0)} ns`);
    console.log(`\nkeepalive rounds: ${rounds} x ${roundMs} ms per side; driver ${bestDriver.handled} in ${bestDriver.seconds.toFixed(2)} s, baseline ${bestRaw.handled} in ${bestRaw.seconds.toFixed(2)} s`);
    console.log(`server CPU per keepalive (user + system): driver ${cpu(bestDriver)}, baseline ${cpu(bestRaw)}`);
    console.log(`attach RTT max ${fmtUs(attachRtt.max)} (baseline ${fmtUs(pingPong.max)}); kill -> announce max ${kill.max.toFixed(2)} ms`);
    return {
      suite: 'control',
      results: {
        keepalives: { driver: bestDriver, baseline: bestRaw, ratio: kaRatio, mustMet: kaRatio >= 0.5 },
        attachRttUs: { driver: attachRtt, baseline: pingPong, p99Ratio: rttRatio, mustMet: rttRatio <= 3 },
        killToAnnounceMs: { ...kill, goalMet: kill.p99 < 50 },
      },
    };
  } finally {
    for (const c of conns) c.close();
    s.driver.child.kill('SIGKILL');
    s.raw.child.kill('SIGKILL');
    await Promise.all([exited(s.driver.child), exited(s.raw.child)]);
    rmSync(s.dir, { recursive: true, force: true });
  }
}
