/**
 * Fault injection (issue 7): each round breaks the running FaultRig one way at a random point and
 * checks the outcome — consumers fail closed, clients recover by themselves within a bound, epochs
 * never reused, errors clear. Shared by `npm run reliability -- faults` and its short test.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statfsSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { inspectRegion } from '../../src/cli/inspect-region.js';
import { AttachRejectedError, Consumer, DriverClient } from '../../src/client/index.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { run } from '../../test/cli/cli-harness.js';
import { ANNOUNCE_MS, KEEPALIVE_MS, isAnnounce, spawnClient, type ClientProcess } from '../../test/system/system-harness.js';
import { withTimeout } from '../../test/transport/socket-harness.js';
import { ConsumerCheck, EpochLedger, quantile, unclearError, type FrameCounts } from './fault-checks.js';
import { EPOCH_BYTES, FaultRig, PROBE_STREAM, STREAM, type ProducerProcess } from './fault-rig.js';

export const FAULT_KINDS = [
  'kill-producer-attach',
  'kill-producer-frame',
  'kill-consumer',
  'kill-driver',
  'delete-region',
  'truncate-region',
  'disk-full',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Frames must flow again within this bound after any fault (client backoff tops out at 5 s). */
export const RECOVERY_MS = 12_000;

export interface RoundResult {
  readonly round: number;
  readonly kind: FaultKind;
  /** Where the fault hit (e.g. "before-map 137ms", "header.ring"). */
  readonly point: string;
  /** Fault → first intact frame of the recovered system (ms). */
  readonly recoveryMs: number;
  /** What the system did, in a few words. */
  readonly outcome: string;
  readonly violations: readonly string[];
}

export type Random = () => number;

/** Everything a run accumulates across rounds. */
export class FaultRun {
  readonly violations: string[] = [];
  readonly counts: FrameCounts = { frames: 0, torn: 0, overwritten: 0 };
  readonly ledger = new EpochLedger((v) => this.violations.push(v));
  readonly results: RoundResult[] = [];
  private readonly checks = new Map<ClientProcess, ConsumerCheck>();
  private consumerSeq = 0;
  private producerCursor = { index: 0, mapped: 0 };

  constructor(
    readonly rig: FaultRig,
    readonly random: Random,
  ) {
    rig.onAnnounce = (streamId, epoch) => this.ledger.note('observer', streamId, epoch);
  }

  /** Feeds every producer's new mappings and every consumer's new lines to the checks. */
  scan(): void {
    // One source for all producer processes: they hold the stream one after another.
    const ps = this.rig.producers;
    for (let cur = this.producerCursor; cur.index < ps.length; cur.index++, cur.mapped = 0) {
      const p = ps[cur.index] as ProducerProcess;
      for (; cur.mapped < p.mapped.length; cur.mapped++) this.ledger.note('producers', STREAM, p.mapped[cur.mapped] as bigint);
      if (cur.index === ps.length - 1) break;
    }
    for (const c of this.rig.consumers) {
      let check = this.checks.get(c);
      if (check === undefined) {
        check = new ConsumerCheck(`consumer#${++this.consumerSeq}`, STREAM, this.ledger, this.counts, (v) => this.violations.push(v));
        this.checks.set(c, check);
      }
      check.scan(c.lines);
    }
  }

  /** One round: a fault of `kind` at a random point, then the checks. */
  async round(n: number, kind: FaultKind): Promise<RoundResult> {
    const before = this.violations.length;
    const r = await FAULTS[kind](this.rig, this.random);
    this.scan();
    await this.checkLeases();
    if (!this.rig.driverAlive) this.violations.push(`driver died after ${kind}: ${this.rig.driver.stderr().trim().slice(-500)}`);
    const result: RoundResult = { round: n, kind, ...r, violations: this.violations.slice(before) };
    this.results.push(result);
    return result;
  }

  /** No leaked lease: stream STREAM ends each round with exactly its one producer and one consumer. */
  private async checkLeases(): Promise<void> {
    let last = '';
    for (let i = 0; i < 40; i++) {
      const s = await this.rig.status();
      const mine = s.leases.filter((l) => l.streamId === STREAM);
      const producers = mine.filter((l) => l.role === 'PRODUCER').length;
      const consumers = mine.length - producers;
      if (producers === 1 && consumers === 1) return;
      last = `${producers} producer and ${consumers} consumer leases`;
      await delay(50); // a dead client's lease goes when the driver sees its socket close
    }
    this.violations.push(`leases on stream ${STREAM} did not settle to 1 producer + 1 consumer: ${last}`);
  }
}

interface Injected {
  readonly point: string;
  readonly recoveryMs: number;
  readonly outcome: string;
}
type Fault = (rig: FaultRig, random: Random) => Promise<Injected>;

const ms = (t0: number): number => Math.round(performance.now() - t0);

/** Waits for the producer to map an epoch above `above`, then for intact frames of it. */
async function recovered(rig: FaultRig, p: ProducerProcess, above: bigint, from: number, giveUp: () => boolean = () => false): Promise<bigint> {
  await rig.pulse.wait(() => (p.mapped[p.mapped.length - 1] ?? 0n) > above || !p.alive, RECOVERY_MS, `producer pid ${p.child.pid} to map an epoch above ${above}`);
  if (!p.alive) throw new Error(`producer died before recovering: ${p.stderr().trim().slice(-400)}`);
  return rig.waitFlowing(p, RECOVERY_MS, from, rig.consumer, giveUp);
}

async function stopProducer(rig: FaultRig): Promise<void> {
  rig.producer.kill('SIGTERM');
  await withTimeout(rig.producer.exited, 5000, 'the producer to stop');
}

const currentEpoch = (rig: FaultRig): bigint => rig.producer.mapped[rig.producer.mapped.length - 1] ?? 0n;

/** Spawn → mapped of the last producer that mapped (ms): the span "mid-attach" is drawn from. */
function producerMapMs(rig: FaultRig): number {
  for (let i = rig.producers.length - 1; i >= 0; i--) {
    const t = rig.producers[i]?.mapMs;
    if (t !== null && t !== undefined) return t;
  }
  return 1000;
}

/** The stream's epoch once the driver has seen its producer go (it provisions a new one, REVOKE-02). */
async function idleEpoch(rig: FaultRig): Promise<bigint> {
  for (let i = 0; i < 40; i++) {
    const st = (await rig.status()).streams.find((x) => x.streamId === STREAM);
    if (st !== undefined && st.state !== 'PRODUCER_ATTACHED') return BigInt(st.epoch);
    await delay(25); // the driver handles the producer's detach on its own connection
  }
  throw new Error(`stream ${STREAM} still has a producer after it stopped`);
}

/**
 * kill -9 of a producer while it attaches: at a random point of the span a producer takes from
 * spawn to its first mapping here (process start, connect, attach request, grant, mapping), a
 * little beyond, so some victims die just after mapping.
 */
const killProducerAttach: Fault = async (rig, random) => {
  const e0 = currentEpoch(rig);
  const span = producerMapMs(rig);
  await stopProducer(rig);
  const idle = await idleEpoch(rig);
  const victim = rig.spawnProducer();
  const wait = Math.floor(random() * span * 1.2);
  await delay(wait);
  const t0 = performance.now();
  victim.kill();
  // Where it died: mapped (its stderr says so), granted (the driver already announced the new
  // epoch its attach provisioned), or before the grant (starting, connecting, attach in flight).
  const granted = (rig.observer?.seen ?? []).some((o) => isAnnounce(o) && o.streamId === STREAM && o.epoch > idle);
  await withTimeout(victim.exited, 5000, 'the killed producer to exit');
  const stage = victim.mapped.length > 0 ? 'after-map' : granted ? 'granted, before-map' : 'before-grant';
  const from = rig.consumer.lines.length;
  const e = await recovered(rig, rig.spawnProducer(), victim.mapped[0] ?? e0, from);
  return { point: `${stage} ${wait}ms`, recoveryMs: ms(t0), outcome: `new producer flowing at epoch ${e}` };
};

/** Slots left WRITING (seq_commit LSB 0, SHM_LAYOUT §5.5) in a header ring; -1 when unreadable. */
function writingSlots(header: string): number {
  try {
    return inspectRegion(header, 1 << 16).slots.filter((x) => x.state === 'WRITING').length;
  } catch {
    return -1;
  }
}

/** Resolves once /proc says the process is stopped (state T); false after 500 ms. */
async function stopped(pid: number): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) [tT]/.test(stat)) return true;
    await delay(1);
  }
  return false;
}

/**
 * kill -9 of a producer publishing as fast as it can, inside a frame: the producer is frozen
 * (SIGSTOP) at random moments until its header ring shows a slot WRITING, then killed there, so
 * the dead producer leaves a half-written slot behind that no consumer may deliver. Bounded: after
 * 100 tries it is killed wherever it is (reported "between frames").
 */
const killProducerFrame: Fault = async (rig, random) => {
  await stopProducer(rig);
  const fast = rig.spawnProducer(0);
  const e1 = await rig.waitFlowing(fast, RECOVERY_MS);
  const [header] = await rig.regionPaths();
  const pid = fast.child.pid ?? -1;
  let where = 'between frames';
  for (let attempt = 1; attempt <= 100 && header !== undefined; attempt++) {
    await delay(Math.floor(random() * 20));
    fast.child.kill('SIGSTOP');
    if (!(await stopped(pid))) {
      where = 'between frames (SIGSTOP not seen)';
      break;
    }
    const writing = writingSlots(header);
    if (writing > 0) {
      where = `mid-frame (try ${attempt})`;
      break;
    }
    fast.child.kill('SIGCONT');
  }
  const t0 = performance.now();
  fast.kill();
  await withTimeout(fast.exited, 5000, 'the killed producer to exit');
  const from = rig.consumer.lines.length;
  const e = await recovered(rig, rig.spawnProducer(), e1, from);
  return { point: where, recoveryMs: ms(t0), outcome: `new producer flowing at epoch ${e}` };
};

/** kill -9 of the consumer, sometimes of its replacement too while that one attaches. */
const killConsumer: Fault = async (rig, random) => {
  let t0 = performance.now();
  rig.consumer.kill();
  await withTimeout(rig.consumer.exited, 5000, 'the killed consumer to exit');
  let point = 'steady';
  if (random() < 0.5) {
    const span = rig.consumerMapMs;
    const victim = rig.spawnConsumer();
    const wait = Math.floor(random() * span * 1.2);
    await delay(wait);
    t0 = performance.now();
    victim.kill();
    await withTimeout(victim.exited, 5000, 'the killed consumer to exit');
    point = `mid-attach ${wait}ms ${victim.lines.some((l) => l.event === 'mapped') ? 'after-map' : 'before-map'}`;
  }
  rig.spawnConsumer();
  const e = await rig.waitFlowing(rig.producer, RECOVERY_MS);
  return { point, recoveryMs: ms(t0), outcome: `new consumer reading epoch ${e}` };
};

/** kill -9 of the driver (sometimes while a client attaches), restart on the same base dir. */
const killDriver: Fault = async (rig, random) => {
  const e0 = currentEpoch(rig);
  let probe: ClientProcess | undefined;
  let point = 'steady';
  if (random() < 0.5) {
    probe = rig.track(spawnClient({ channel: rig.channel, role: 'consumer', streamId: STREAM, clientId: 0 }));
    const wait = Math.floor(random() * 400);
    await delay(wait);
    point = `${probe.lines.some((l) => l.event === 'attached') ? 'after' : 'during'} a client attach (${wait}ms)`;
  } else {
    const wait = Math.floor(random() * 200);
    await delay(wait);
    point = `steady ${wait}ms`;
  }
  const probeFrom = probe?.lines.length ?? 0;
  const t0 = performance.now();
  await rig.killDriver();
  await rig.startDriver();
  const from = rig.consumer.lines.length;
  const e = await recovered(rig, rig.producer, e0, from);
  const recoveryMs = ms(t0);
  if (probe !== undefined) {
    const p = probe;
    // The probe holds no lease from the dead driver; it must attach again to the new one.
    await rig.pulse.wait(() => p.lines.slice(probeFrom).some((l) => l.event === 'attached'), RECOVERY_MS, 'the probe client to reattach');
    p.send('exit');
    await withTimeout(p.exited, 5000, 'the probe to exit');
  }
  return { point, recoveryMs, outcome: `driver restarted (#${rig.driverStarts}), producer at epoch ${e} > ${e0}` };
};

/** The outcome of a fresh consumer attaching now, through the API (in this process). */
export type Probe = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

export async function probeConsumer(rig: FaultRig): Promise<Probe> {
  const opening = Consumer.open({
    connect: () => connectUnix(rig.channel),
    streamId: STREAM,
    allowedBaseDirs: [rig.shmDir],
    clientOptions: { keepaliveIntervalMs: KEEPALIVE_MS, announcePeriodMs: ANNOUNCE_MS },
  });
  try {
    const c = await withTimeout(opening, 5000, 'Consumer.open of a probe');
    await c.close();
    return { ok: true };
  } catch (e) {
    void opening.then((c) => c.close(), () => undefined); // a late grant is given back, not leaked
    const code = (e as { code?: unknown }).code;
    return { ok: false, code: typeof code === 'string' ? code : 'none', message: (e as Error).message };
  }
}

/** The same through `tensorpool consume`: it reads a frame, or fails with one line (returned). */
async function probeConsumeCli(rig: FaultRig): Promise<string | null> {
  const r = await run(['consume', '--stream', String(STREAM), '--count', '1', '--control', rig.channel, '--timeout', '3000'], rig.cliEnv(), 10_000);
  if (r.code === 0) return null;
  const unclear = unclearError(r.stderr);
  if (unclear !== undefined) throw new Error(`tensorpool consume: ${unclear}`);
  return r.stderr.trim();
}

const isDead = (c: { child: ChildProcess }): boolean => c.child.exitCode !== null || c.child.signalCode !== null;

/**
 * Deletes or truncates one region file of the current epoch under the running driver.
 *
 * Expected: the driver is unaffected. A deleted file stays mapped by whoever had it, so the
 * running producer and consumer carry on; a new consumer is refused with a clear error (its
 * regions do not exist) until the stream gets a new epoch. A truncated file takes the pages past
 * its new end away from every mapping: whoever touches them dies of SIGBUS (Node has no handler;
 * docs/shm/MAPPING.md "residual risks"), typically the producer, whose lost connection makes the
 * driver provision a fresh epoch at once. Recovery here is what a supervisor does: restart what
 * died (and, after a delete, the producer, to get new files).
 */
function regionFault(mode: 'delete' | 'truncate'): Fault {
  return async (rig, random) => {
    const e0 = currentEpoch(rig);
    const paths = await rig.regionPaths();
    const path = paths[Math.floor(random() * paths.length)];
    if (path === undefined) throw new Error('the driver names no region for the stream');
    let point = basename(path);
    const p = rig.producer;
    const c = rig.consumer;
    const t0 = performance.now();
    if (mode === 'delete') {
      unlinkSync(path);
    } else {
      const size = statSync(path).size;
      const to = [0, 64, Math.floor(size / 2)][Math.floor(random() * 3)] as number;
      truncateSync(path, to);
      point += ` to ${to} of ${size} bytes`;
      // The producer writes every slot within one turn of the ring (64 frames, 320 ms at 200 Hz).
      await rig.pulse.wait(() => !p.alive, 2000, 'a SIGBUS').catch(() => undefined);
    }
    const notes: string[] = [];
    const probe = await probeConsumer(rig);
    if (probe.ok) notes.push('a new consumer maps');
    else {
      const unclear = unclearError(probe.message, /./);
      if (!probe.code.startsWith('TP_ERR_') || unclear !== undefined) throw new Error(`unclear error for a new consumer after ${mode}: ${probe.code} ${probe.message}`);
      notes.push(`a new consumer is refused ${probe.code}`);
      if (mode === 'delete' && p.alive && rig.options.cliProbes !== false) {
        const line = await probeConsumeCli(rig);
        if (line !== null) notes.push(`consume says "${line.replace(/"\/[^"]*"/, '<path>')}"`);
      }
    }
    const deaths: string[] = [];
    const death = async (who: string, x: { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }): Promise<void> => {
      const r = await x.exited;
      deaths.push(`${who} ${r.signal ?? r.code}`);
    };
    if (isDead(p)) await death('producer', p);
    if (isDead(c)) {
      await death('consumer', c);
      rig.spawnConsumer();
    }
    if (p.alive) await stopProducer(rig);
    const next = rig.spawnProducer();
    let e = 0n;
    // A consumer still mapping the truncated file may touch a lost page later (SIGBUS) while the
    // new epoch comes up: a supervisor restarts it (at most twice here).
    for (let restarts = 0; ; restarts++) {
      const reader = rig.consumer;
      const from = reader.lines.length;
      try {
        e = await recovered(rig, next, e0, from, () => mode === 'truncate' && isDead(reader));
        break;
      } catch (err) {
        if (!(mode === 'truncate' && isDead(reader)) || restarts >= 2) throw err;
        await death('consumer (later)', reader);
        rig.spawnConsumer();
      }
    }
    notes.push(deaths.length === 0 ? 'mapped clients unaffected' : `died: ${deaths.join(', ')}`);
    return { point, recoveryMs: ms(t0), outcome: `${notes.join('; ')}; flowing again at epoch ${e}` };
  };
}

/** A producer attach from this process on a new dynamic stream: ok, or the refusal. */
async function probeAttach(rig: FaultRig, streamId: number): Promise<AttachRejectedError | null> {
  const client = new DriverClient({ connect: () => connectUnix(rig.channel), keepaliveIntervalMs: KEEPALIVE_MS, announcePeriodMs: ANNOUNCE_MS });
  try {
    await withTimeout(client.attach({ streamId, role: 'producer', publishMode: 'existing-or-create' }), 8000, `an attach to stream ${streamId}`);
    await withTimeout(client.detach(), 5000, 'a detach');
    return null;
  } catch (e) {
    if (e instanceof AttachRejectedError) return e;
    throw e;
  } finally {
    client.close();
  }
}

/**
 * Fills the tmpfs to below one epoch's size and asks for a new stream. Expected: the driver
 * refuses that attach with a clear INTERNAL_ERROR ("insufficient shm space ...", §10.2), keeps
 * serving the stream it already has (its pages were prefaulted: policies.prefault_shm), and
 * provisions the same request once the space is back.
 */
const diskFull: Fault = async (rig) => {
  if (!rig.options.smallFs) return { point: 'skipped', recoveryMs: 0, outcome: 'skipped: the regions are not on a small filesystem of their own' };
  const streamId = PROBE_STREAM + (rig.probeStreams++ % 1000);
  const st = statfsSync(rig.shmDir);
  const free = st.bavail * st.bsize;
  const leave = Math.floor(EPOCH_BYTES / 4);
  const filler = join(rig.shmDir, 'filler');
  const fd = openSync(filler, 'w', 0o600);
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (let left = free - leave; left > 0; ) left -= writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  } finally {
    closeSync(fd);
  }
  const from = rig.consumer.lines.length;
  const t0 = performance.now();
  let refused: AttachRejectedError | null;
  try {
    refused = await probeAttach(rig, streamId);
    // The existing stream keeps flowing while the filesystem is full.
    await rig.waitFlowing(rig.producer, RECOVERY_MS, from);
  } finally {
    unlinkSync(filler);
  }
  if (refused === null) throw new Error(`a full filesystem still provisioned stream ${streamId}`);
  const unclear = unclearError(refused.errorMessage, /insufficient shm space/);
  if (unclear !== undefined || refused.responseCode !== 'INTERNAL_ERROR') throw new Error(`unclear refusal: ${refused.responseCode} ${unclear ?? refused.errorMessage}`);
  // Recovery: space is back, the same request succeeds.
  const again = await probeAttach(rig, streamId);
  if (again !== null) throw new Error(`stream ${streamId} still refused once space was back: ${again.message}`);
  const message = refused.errorMessage.replace(/"\/[^"]*"/, '<dir>');
  return { point: `${leave} bytes left of ${st.blocks * st.bsize}`, recoveryMs: ms(t0), outcome: `refused ${refused.code} ${refused.responseCode} "${message}"; stream ${STREAM} kept flowing; attach ok once freed` };
};

export const FAULTS: Record<FaultKind, Fault> = {
  'kill-producer-attach': killProducerAttach,
  'kill-producer-frame': killProducerFrame,
  'kill-consumer': killConsumer,
  'kill-driver': killDriver,
  'delete-region': regionFault('delete'),
  'truncate-region': regionFault('truncate'),
  'disk-full': diskFull,
};

export interface Figures {
  readonly rounds: number;
  readonly faultsPerKind: Record<string, number>;
  readonly recoveryMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly recoveryMsPerKind: Record<string, { p50: number; max: number }>;
  readonly epochsObserved: number;
  readonly driverStarts: number;
  readonly frames: number;
  readonly tornFrames: number;
  readonly overwrittenNoticed: number;
  readonly violations: readonly string[];
}

export function figures(run: FaultRun): Figures {
  const perKind: Record<string, number> = {};
  const recKind: Record<string, number[]> = {};
  const all: number[] = [];
  for (const r of run.results) {
    perKind[r.kind] = (perKind[r.kind] ?? 0) + 1;
    if (r.point === 'skipped') continue;
    (recKind[r.kind] ??= []).push(r.recoveryMs);
    all.push(r.recoveryMs);
  }
  const recoveryMsPerKind: Record<string, { p50: number; max: number }> = {};
  for (const [k, v] of Object.entries(recKind)) recoveryMsPerKind[k] = { p50: quantile(v, 0.5), max: Math.max(...v) };
  return {
    rounds: run.results.length,
    faultsPerKind: perKind,
    recoveryMs: { p50: quantile(all, 0.5), p99: quantile(all, 0.99), max: all.length === 0 ? Number.NaN : Math.max(...all) },
    recoveryMsPerKind,
    epochsObserved: run.ledger.count(),
    driverStarts: run.rig.driverStarts,
    frames: run.counts.frames,
    tornFrames: run.counts.torn,
    overwrittenNoticed: run.counts.overwritten,
    violations: run.violations,
  };
}
