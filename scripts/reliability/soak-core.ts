/**
 * The load-and-soak run of issue #7 (docs/reliability/soak.md), shared by the long program
 * (soak.ts, `npm run reliability -- soak`) and its short version in `npm test`
 * (test/reliability/soak.test.ts).
 *
 * A real `tensorpool driver` child process; N DriverClients spread over F fleet processes
 * (soak-fleet.ts), each client on its own connection holding one lease and keeping it alive every
 * `keepaliveMs` (the driver expects the same interval, KEEPALIVE-04, and expires a lease
 * `graceIntervals` intervals after its last keepalive, KEEPALIVE-03). After a warm-up the driver's
 * status document (TRANSPORT.md §5) is sampled once a second for `durationS`; then every client
 * detaches and the driver is stopped with SIGTERM.
 *
 * Invariants (each violation is one line in `failures`):
 * - no spurious lease loss: the driver counts no expiry, revocation or dropped keepalive, and no
 *   client reports any lease event but its one `attached` before the shutdown phase;
 * - all N leases are held at every sample and at the end;
 * - memory is flat (when `checkMemory`): heapUsed after a forced full GC at the end is within
 *   max(heapGrowthLimitBytes, heapGrowthLimitRatio × start) of the same figure after warm-up;
 * - the shutdown is clean: every detach answered, zero leases left, driver exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requestStatus } from '../../src/transport/admin-client.js';
import type { DelayStats } from '../../src/transport/process-figures.js';
import type { StatusDocument } from '../../src/transport/status-document.js';
import { connectUnix, type UnixControlConnection } from '../../src/transport/unix-socket-client.js';
import { startDriver, type RunningDriver } from '../../test/cli/cli-harness.js';
import { ClientProcess, type ClientLine } from '../../test/system/system-harness.js';
import { SMALL_TOML, withTimeout } from '../../test/transport/socket-harness.js';
import { buildPlans, formatPlan } from './soak-plan.js';

const FLEET = fileURLToPath(new URL('./soak-fleet.js', import.meta.url));
const GC_PRELOAD = pathToFileURL(fileURLToPath(new URL('./gc-on-signal.js', import.meta.url))).href;
/**
 * The soak's streams are configured (static) ones from here on: a dynamic stream's id is the
 * driver's choice (STREAMID-08), so its consumers could not know it in advance.
 */
const FIRST_STREAM = 11000;
const MAX_STREAMS = 1000;
const MIB = 1024 * 1024;
/**
 * Bound of one wait outside the sampled soak. Generous: the driver broadcasts an announce per
 * attach (ATTACH-17) and a revoke notice per detach to every connection, so an attach or detach
 * burst of N clients costs it N² socket writes (tens of seconds at N = 1000 on 2 vCPUs).
 */
const PHASE_MS = 180_000;
/** Bound of one status sample during the soak (a miss is a failure, not an abort). */
const SAMPLE_TIMEOUT_MS = 10_000;

export interface SoakOptions {
  readonly clients: number;
  readonly fleets: number;
  /**
   * Attaches in flight per fleet process. Each attach costs the driver an announce to every
   * connection (ATTACH-17), so N clients attaching at once cost N² writes; at N = 1000 the attach
   * responses then wait seconds behind announces and leases expire before their first keepalive
   * (docs/reliability/soak.md, finding 3). The soak measures the steady state, so it ramps.
   */
  readonly attachBatch: number;
  /** Streams with a producer each; the other clients consume them. At most 1000. */
  readonly streams: number;
  readonly keepaliveMs: number;
  /** policies.lease_expiry_grace_intervals (spec default 3). */
  readonly graceIntervals: number;
  readonly announcePeriodMs: number;
  readonly durationS: number;
  /** Time between the last attach and the start sample (the attach burst settles). */
  readonly warmupS: number;
  readonly sampleMs: number;
  readonly checkMemory: boolean;
  readonly heapGrowthLimitBytes: number;
  readonly heapGrowthLimitRatio: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  clients: 1000,
  fleets: 4,
  attachBatch: 25,
  streams: 16,
  keepaliveMs: 1000,
  graceIntervals: 3,
  announcePeriodMs: 1000,
  durationS: 60,
  warmupS: 10,
  sampleMs: 1000,
  checkMemory: true,
  heapGrowthLimitBytes: 4 * MIB,
  heapGrowthLimitRatio: 0.1,
};

export interface SoakSample {
  /** Seconds since the start sample. */
  readonly tS: number;
  readonly leases: number;
  readonly connections: number;
  readonly leasesExpired: number;
  readonly leasesRevoked: number;
  readonly keepalives: number;
  readonly keepalivesDropped: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly cpuMs: number;
  /** The driver's last complete 5 s event-loop window. */
  readonly loopP99Ms: number | null;
  readonly loopMaxMs: number | null;
}

export interface MemoryPoint {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly rss: number;
  readonly external: number;
}

export interface SoakResult {
  readonly date: string;
  /** loadavg: the 1-minute load average at the start and the end of the soak (the host is shared). */
  readonly machine: { readonly cpus: number; readonly node: string; readonly loadStart: number; readonly loadEnd: number };
  readonly options: Omit<SoakOptions, 'log'>;
  readonly attachMs: { readonly producers: number; readonly consumers: number };
  readonly leases: { readonly expected: number; readonly minDuringSoak: number; readonly atEnd: number; readonly afterShutdown: number };
  /** Everything that would be a spurious loss; all zero in a passing run. */
  readonly spurious: { readonly driverExpired: number; readonly driverRevoked: number; readonly keepalivesDropped: number; readonly clientEvents: Readonly<Record<string, number>> };
  readonly keepalives: { readonly duringSoak: number; readonly perSecond: number; readonly expectedPerSecond: number };
  readonly driverLoop: {
    /** Whole run including startup and the attach burst. */
    readonly sinceStart: DelayStats | null;
    /** Over the soak's 5 s windows: the median and worst window p99, and the worst single delay. */
    readonly windowP99MedianMs: number | null;
    readonly windowP99MaxMs: number | null;
    readonly windowMaxMs: number | null;
  };
  readonly memory: {
    readonly start: MemoryPoint;
    readonly end: MemoryPoint;
    readonly heapGrowthBytes: number;
    readonly heapLimitBytes: number;
    readonly rssGrowthBytes: number;
    /** heapUsed without a forced GC over the 1 s samples. */
    readonly sampledHeapMin: number;
    readonly sampledHeapMax: number;
  };
  /** CPU time over the soak as % of one core. */
  readonly cpuPct: { readonly driver: number; readonly fleets: number };
  readonly fleetLoop: { readonly worstP99Ms: number; readonly worstMaxMs: number };
  readonly shutdown: {
    readonly detachMs: number;
    /** Lease events the clients reported while detaching, by kind (diagnostics, not judged). */
    readonly clientEvents: Readonly<Record<string, number>>;
    /** Worst 1 s loop-delay p99 of the client processes while detaching. */
    readonly clientLoopWorstP99Ms: number;
    /** The driver's worst loop delay since start, read after the detaches (the soak's is above). */
    readonly driverLoopMaxMs: number | null;
    readonly driverExit: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  };
  readonly samples: readonly SoakSample[];
  readonly failures: readonly string[];
}

/** Resolves with the first stdout line of `child` matching `re` (listening starts now). */
function stdoutLine(child: ChildProcess, re: RegExp, ms: number, what: string): Promise<string> {
  let text = '';
  let onData: (d: Buffer) => void = () => undefined;
  const found = new Promise<string>((resolve) => {
    onData = (d: Buffer) => {
      text += d.toString();
      const line = text.split('\n').find((l) => re.test(l));
      if (line !== undefined) resolve(line);
    };
    child.stdout?.on('data', onData);
  });
  return withTimeout(found, ms, what).finally(() => child.stdout?.off('data', onData));
}

/** The small test profile (8 slots, one 4 KiB pool: provisioning is instant) plus the soak's streams. */
function writeConfig(dir: string, streams: number): string {
  const file = join(dir, 'driver.toml');
  const extra = Array.from({ length: streams }, (_, i) => `[streams.soak${i}]\nstream_id = ${FIRST_STREAM + i}\nprofile = "small"\n`);
  writeFileSync(file, `${SMALL_TOML}\n${extra.join('\n')}`);
  return file;
}

let gcCount = 0;

/** A forced full GC in the driver (gc-on-signal.ts), then its memory. */
async function memoryAfterGc(driver: RunningDriver, conn: UnixControlConnection): Promise<MemoryPoint> {
  const n = ++gcCount;
  const done = stdoutLine(driver.child, new RegExp(`^soak-gc ${n}$`), PHASE_MS, `the driver's forced GC #${n}`);
  driver.child.kill('SIGUSR2');
  await done;
  const m = (await requestStatus(conn, PHASE_MS)).process.memory;
  return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external };
}

const counter = (s: StatusDocument, name: string): number => s.counters.driver[name] ?? 0;
const cpuMsOf = (s: StatusDocument): number => s.process.cpu.userMs + s.process.cpu.systemMs;
const median = (xs: readonly number[]): number | null => (xs.length === 0 ? null : ([...xs].sort((a, b) => a - b)[xs.length >> 1] as number));
const maxOf = (xs: readonly number[]): number | null => (xs.length === 0 ? null : Math.max(...xs));

function spawnFleet(o: SoakOptions, channel: string, firstClientId: number, plan: string): ClientProcess {
  const args = [
    FLEET, '--channel', channel, '--keepalive-ms', String(o.keepaliveMs), '--announce-period-ms', String(o.announcePeriodMs),
    '--first-client-id', String(firstClientId), '--attach-batch', String(o.attachBatch), '--plan', plan,
  ];
  return new ClientProcess(spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** Lines that are not allowed before the shutdown phase: every lease event but a client's first attach. */
function spuriousEvents(fleets: readonly ClientProcess[], until: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  fleets.forEach((f, i) => {
    const attachedOnce = new Set<number>();
    for (const l of f.lines.slice(0, until[i])) {
      if (l.event !== 'lease' && l.event !== 'attach-error' && l.event !== 'non-json') continue;
      const kind = String(l['kind'] ?? l.event);
      const client = Number(l['client']);
      if (kind === 'attached' && !attachedOnce.has(client)) {
        attachedOnce.add(client);
        continue;
      }
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  });
  return counts;
}

const ticksOf = (f: ClientProcess, from: number, to: number): ClientLine[] => f.lines.slice(from, to).filter((l) => l.event === 'tick');

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  if (o.streams > MAX_STREAMS) throw new RangeError(`--streams is at most ${MAX_STREAMS}`);
  const plans = buildPlans(o.clients, o.streams, o.fleets, FIRST_STREAM);
  const failures: string[] = [];
  const base = mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'tpsoak-'));
  const fleets: ClientProcess[] = [];
  let driver: RunningDriver | null = null;
  let conn: UnixControlConnection | null = null;
  // Interrupted (Ctrl-C, timeout): no child may outlive the run; the fleets follow their stdin,
  // the driver would not.
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const f of fleets) f.kill();
    driver?.child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const sets = [
      `shm.base_dir=${base}`,
      `shm.allowed_base_dirs=${base}`,
      'shm.namespace=soak',
      `policies.lease_keepalive_interval_ms=${o.keepaliveMs}`,
      `policies.lease_expiry_grace_intervals=${o.graceIntervals}`,
      `policies.announce_period_ms=${o.announcePeriodMs}`,
    ];
    // Through env (cli-harness's wrapper prefix) so that it is still the plain `tensorpool driver` command line.
    const wrap = ['env', `NODE_OPTIONS=--expose-gc --import=${GC_PRELOAD}`];
    driver = await startDriver(['--config', writeConfig(base, o.streams), '--log-level', 'info', ...sets.flatMap((s) => ['--set', s])], 10_000, wrap);
    conn = await connectUnix(driver.channel, { timeoutMs: 5000 });
    log(`driver pid ${driver.child.pid} on ${driver.channel}`);

    let firstId = 1;
    for (const plan of plans) {
      fleets.push(spawnFleet(o, driver.channel, firstId, formatPlan(plan)));
      firstId += plan.length;
    }
    await Promise.all(fleets.map((f) => f.next('ready', 20_000)));
    // Producers first, so each consumer maps its stream's producer epoch from the start rather
    // than an UNCLAIMED first epoch that the producer's attach then replaces (EPOCH-01a).
    const attachPhase = async (role: 'producer' | 'consumer'): Promise<number> => {
      const t0 = performance.now();
      for (const f of fleets) f.send(`attach ${role}`);
      await Promise.all(fleets.map((f) => f.next((l) => (l.event === 'attached-all' && l['role'] === role) || l.event === 'attach-error', PHASE_MS, `attached-all ${role}`)));
      const failed = fleets.flatMap((f) => f.events('attach-error'));
      if (failed.length > 0) throw new Error(`attach failed: ${JSON.stringify(failed)}`);
      return Math.round(performance.now() - t0);
    };
    const attachMs = { producers: await attachPhase('producer'), consumers: await attachPhase('consumer') };
    log(`${o.clients} leases attached (producers ${attachMs.producers} ms, consumers ${attachMs.consumers} ms); warming up ${o.warmupS} s`);
    await sleep(o.warmupS * 1000);

    const start = await memoryAfterGc(driver, conn);
    const first = await requestStatus(conn, PHASE_MS);
    const fleetFrom = fleets.map((f) => f.lines.length);
    const loadStart = loadavg()[0] ?? 0;
    const t0 = performance.now();
    const samples: SoakSample[] = [];
    let last = first;
    for (let i = 1; i * o.sampleMs <= o.durationS * 1000; i++) {
      await sleep(Math.max(0, t0 + i * o.sampleMs - performance.now()));
      try {
        last = await requestStatus(conn, SAMPLE_TIMEOUT_MS);
      } catch (e) {
        failures.push(`status sample ${i} failed: ${(e as Error).message}`);
        continue;
      }
      const s: SoakSample = {
        tS: Math.round(performance.now() - t0) / 1000,
        leases: last.totals.leases,
        connections: last.totals.connections,
        leasesExpired: counter(last, 'leasesExpired'),
        leasesRevoked: counter(last, 'leasesRevoked'),
        keepalives: counter(last, 'keepalives'),
        keepalivesDropped: counter(last, 'keepalivesDropped'),
        heapUsed: last.process.memory.heapUsed,
        rss: last.process.memory.rss,
        cpuMs: cpuMsOf(last),
        loopP99Ms: last.process.eventLoop?.lastWindow?.p99Ms ?? null,
        loopMaxMs: last.process.eventLoop?.lastWindow?.maxMs ?? null,
      };
      samples.push(s);
      if (i % 10 === 0) log(`t=${s.tS.toFixed(0)} s leases=${s.leases} expired=${s.leasesExpired} revoked=${s.leasesRevoked} heap=${(s.heapUsed / MIB).toFixed(1)} MiB rss=${(s.rss / MIB).toFixed(1)} MiB loop p99=${s.loopP99Ms} ms`);
    }
    const soakS = (performance.now() - t0) / 1000;
    const loadEnd = loadavg()[0] ?? 0;
    const fleetTo = fleets.map((f) => f.lines.length);
    const end = await memoryAfterGc(driver, conn);

    // Shutdown phase: every client detaches; then nothing may be left.
    const td = performance.now();
    for (const f of fleets) f.send('detach');
    await Promise.all(fleets.map((f) => f.next('detached-all', PHASE_MS)));
    const detachMs = Math.round(performance.now() - td);
    const after = await requestStatus(conn, PHASE_MS);
    const clientEvents = spuriousEvents(fleets, fleetFrom.map((_, i) => fleetTo[i] as number));
    const detachEnd = fleets.map((f) => f.lines.length);
    const detachLines = fleets.flatMap((f, i) => f.lines.slice(fleetTo[i], detachEnd[i]));
    const shutdownEvents: Record<string, number> = {};
    for (const l of detachLines) if (l.event === 'lease') shutdownEvents[String(l['kind'])] = (shutdownEvents[String(l['kind'])] ?? 0) + 1;
    const shutdownLoop = maxOf(detachLines.filter((l) => l.event === 'tick').map((t) => Number(t['loopP99Ms'] ?? 0))) ?? 0;
    for (const f of fleets) f.send('exit');
    await Promise.all(fleets.map((f) => withTimeout(f.exited, PHASE_MS, 'a fleet to exit')));
    conn.close();
    conn = null;
    driver.child.kill('SIGTERM');
    const driverExit = await withTimeout(driver.exited, PHASE_MS, 'the driver to exit');

    // ---- figures and verdict --------------------------------------------------------------------
    const leasesSeen = samples.map((s) => s.leases);
    const minLeases = leasesSeen.length === 0 ? 0 : Math.min(...leasesSeen);
    const spurious = {
      driverExpired: counter(after, 'leasesExpired'),
      driverRevoked: counter(after, 'leasesRevoked'),
      keepalivesDropped: counter(after, 'keepalivesDropped'),
      clientEvents,
    };
    const keepalivesDuring = counter(last, 'keepalives') - counter(first, 'keepalives');
    const heapGrowth = end.heapUsed - start.heapUsed;
    const heapLimit = Math.max(o.heapGrowthLimitBytes, o.heapGrowthLimitRatio * start.heapUsed);
    const fleetTicks = fleets.map((f, i) => ticksOf(f, fleetFrom[i] as number, fleetTo[i] as number));
    const fleetCpuMs = fleetTicks.reduce((sum, t) => sum + (t.length < 2 ? 0 : Number(t[t.length - 1]?.['cpuMs']) - Number(t[0]?.['cpuMs'])), 0);
    const allTicks = fleetTicks.flat();
    const windowP99s = samples.flatMap((s) => (s.loopP99Ms === null ? [] : [s.loopP99Ms]));
    const windowMaxes = samples.flatMap((s) => (s.loopMaxMs === null ? [] : [s.loopMaxMs]));

    if (spurious.driverExpired > 0) failures.push(`the driver expired ${spurious.driverExpired} lease(s)`);
    if (spurious.driverRevoked > 0) failures.push(`the driver revoked ${spurious.driverRevoked} lease(s)`);
    if (spurious.keepalivesDropped > 0) failures.push(`the driver dropped ${spurious.keepalivesDropped} keepalive(s)`);
    for (const [kind, n] of Object.entries(clientEvents)) failures.push(`clients reported ${n} '${kind}' event(s) during the soak`);
    if (samples.length === 0) failures.push('no status sample succeeded');
    if (minLeases !== o.clients) failures.push(`leases held dipped to ${minLeases} of ${o.clients}`);
    if (last.totals.leases !== o.clients) failures.push(`${last.totals.leases} of ${o.clients} leases held at the end`);
    if (o.checkMemory && heapGrowth > heapLimit) failures.push(`heap grew ${(heapGrowth / MIB).toFixed(2)} MiB after GC (limit ${(heapLimit / MIB).toFixed(2)} MiB)`);
    if (after.totals.leases !== 0) failures.push(`${after.totals.leases} lease(s) left after every client detached`);
    if (counter(after, 'detachOk') !== o.clients) failures.push(`${counter(after, 'detachOk')} of ${o.clients} detaches answered OK`);
    if (driverExit.code !== 0) failures.push(`the driver exited with ${JSON.stringify(driverExit)}`);

    const { log: _log, ...options } = o;
    return {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadStart, loadEnd },
      options,
      attachMs,
      leases: { expected: o.clients, minDuringSoak: minLeases, atEnd: last.totals.leases, afterShutdown: after.totals.leases },
      spurious,
      keepalives: { duringSoak: keepalivesDuring, perSecond: Math.round(keepalivesDuring / soakS), expectedPerSecond: Math.round((o.clients * 1000) / o.keepaliveMs) },
      driverLoop: { sinceStart: last.process.eventLoop?.sinceStart ?? null, windowP99MedianMs: median(windowP99s), windowP99MaxMs: maxOf(windowP99s), windowMaxMs: maxOf(windowMaxes) },
      memory: {
        start,
        end,
        heapGrowthBytes: heapGrowth,
        heapLimitBytes: Math.round(heapLimit),
        rssGrowthBytes: end.rss - start.rss,
        sampledHeapMin: Math.min(...samples.map((s) => s.heapUsed)),
        sampledHeapMax: Math.max(...samples.map((s) => s.heapUsed)),
      },
      cpuPct: { driver: Math.round(((cpuMsOf(last) - cpuMsOf(first)) / (soakS * 1000)) * 1000) / 10, fleets: Math.round((fleetCpuMs / (soakS * 1000)) * 1000) / 10 },
      fleetLoop: { worstP99Ms: maxOf(allTicks.map((t) => Number(t['loopP99Ms'] ?? 0))) ?? 0, worstMaxMs: maxOf(allTicks.map((t) => Number(t['loopMaxMs'] ?? 0))) ?? 0 },
      shutdown: { detachMs, clientEvents: shutdownEvents, clientLoopWorstP99Ms: shutdownLoop, driverLoopMaxMs: after.process.eventLoop?.sinceStart.maxMs ?? null, driverExit },
      samples,
      failures,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    conn?.close();
    for (const f of fleets) f.kill();
    if (driver !== null && driver.child.exitCode === null && driver.child.signalCode === null) driver.child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  }
}

/** The figures as plain lines (the program's summary and the test's diagnostics). */
export function formatSoak(r: SoakResult): string[] {
  const o = r.options;
  const mib = (b: number): string => `${(b / MIB).toFixed(1)} MiB`;
  const d = r.driverLoop.sinceStart;
  return [
    `soak ${r.date}: ${o.clients} clients (${o.streams} producers, ${o.clients - o.streams} consumers) in ${o.fleets} processes (attach ${o.attachBatch} at a time each), keepalive ${o.keepaliveMs} ms × grace ${o.graceIntervals}, announce ${o.announcePeriodMs} ms, ${o.durationS} s after ${o.warmupS} s warm-up; ${r.machine.cpus} CPUs, node ${r.machine.node}, load average ${r.machine.loadStart.toFixed(1)} → ${r.machine.loadEnd.toFixed(1)}`,
    `attach: producers ${r.attachMs.producers} ms, consumers ${r.attachMs.consumers} ms`,
    `leases: expected ${r.leases.expected}, min during soak ${r.leases.minDuringSoak}, at end ${r.leases.atEnd}, after shutdown ${r.leases.afterShutdown}`,
    `spurious: driver expired ${r.spurious.driverExpired}, revoked ${r.spurious.driverRevoked}, keepalives dropped ${r.spurious.keepalivesDropped}, client events ${JSON.stringify(r.spurious.clientEvents)}`,
    `keepalives: ${r.keepalives.duringSoak} during the soak, ${r.keepalives.perSecond}/s (expected ${r.keepalives.expectedPerSecond}/s)`,
    `driver event-loop delay: 5 s windows p99 median ${r.driverLoop.windowP99MedianMs} ms, worst p99 ${r.driverLoop.windowP99MaxMs} ms, worst max ${r.driverLoop.windowMaxMs} ms; since start p50 ${d?.p50Ms} p99 ${d?.p99Ms} max ${d?.maxMs} ms`,
    `driver memory after forced GC: heap ${mib(r.memory.start.heapUsed)} → ${mib(r.memory.end.heapUsed)} (growth ${mib(r.memory.heapGrowthBytes)}, limit ${mib(r.memory.heapLimitBytes)}), rss ${mib(r.memory.start.rss)} → ${mib(r.memory.end.rss)}; sampled heap ${mib(r.memory.sampledHeapMin)}..${mib(r.memory.sampledHeapMax)}`,
    `cpu (% of one core): driver ${r.cpuPct.driver}, client processes ${r.cpuPct.fleets}; client loop worst p99 ${r.fleetLoop.worstP99Ms} ms, max ${r.fleetLoop.worstMaxMs} ms`,
    `shutdown: all detached in ${r.shutdown.detachMs} ms (client events ${JSON.stringify(r.shutdown.clientEvents)}, client loop worst p99 ${r.shutdown.clientLoopWorstP99Ms} ms, driver loop max since start ${r.shutdown.driverLoopMaxMs} ms), driver exit ${JSON.stringify(r.shutdown.driverExit)}`,
    r.failures.length === 0 ? 'PASS: every invariant held' : `FAIL: ${r.failures.join('; ')}`,
  ];
}
