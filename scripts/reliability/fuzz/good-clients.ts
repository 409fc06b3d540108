/**
 * Well-behaved clients that run alongside the fuzzer: each a real DriverClient in its own process
 * (test/system's client fixture, so a busy fuzzer cannot starve its keepalive timers), producers
 * and consumers on the two streams the fuzzer cannot take over (their producer leases are held).
 *
 * While the fuzzer runs, such a client may only see broadcasts about other leases: any lease
 * loss, revocation of its own lease, disconnect, protocol error, epoch change or announce timeout
 * is a spurious effect of someone else's garbage and fails the run.
 */
import { withTimeout } from '../../../test/transport/socket-harness.js';
import { spawnClient, type ClientLine, type ClientProcess } from '../../../test/system/system-harness.js';

/**
 * Producer before consumer on each stream, so the consumers join an epoch that then stays put;
 * two clients are a producer and a consumer on one stream.
 */
const PLAN = [
  { role: 'producer', streamId: 10000, clientId: 7001 },
  { role: 'consumer', streamId: 10000, clientId: 7002 },
  { role: 'producer', streamId: 10001, clientId: 7003 },
  { role: 'consumer', streamId: 10001, clientId: 7004 },
] as const;

/** The client ids above: the fuzzer's client id range must not contain them. */
export const GOOD_CLIENT_IDS: readonly number[] = PLAN.map((p) => p.clientId);
export const GOOD_STREAMS: readonly number[] = [10000, 10001];

/** Lines a client may print while the fuzzer runs (broadcasts it merely observes). */
const QUIET_EVENTS = new Set(['raw-announce', 'raw-revoked']);

interface Running {
  readonly proc: ClientProcess;
  readonly label: string;
  readonly leaseId: string;
  /** Index of the first line printed after the fuzzing started. */
  mark: number;
}

export class GoodClients {
  private constructor(private readonly running: Running[]) {}

  /** Starts `count` (1..4) clients and waits until each holds its lease. */
  static async start(channel: string, count: number): Promise<GoodClients> {
    const running: Running[] = [];
    try {
      for (const p of PLAN.slice(0, count)) {
        const proc = spawnClient({ channel, role: p.role, streamId: p.streamId, clientId: p.clientId });
        const label = `${p.role} ${p.clientId} on stream ${p.streamId}`;
        running.push({ proc, label, leaseId: '', mark: 0 });
        const attached = await proc.next('attached', 8000);
        running[running.length - 1] = { proc, label, leaseId: String(attached['leaseId']), mark: 0 };
      }
    } catch (e) {
      for (const r of running) r.proc.kill();
      throw e;
    }
    return new GoodClients(running);
  }

  get count(): number {
    return this.running.length;
  }

  /** From now on every line is checked. */
  markStart(): void {
    for (const r of this.running) r.mark = r.proc.lines.length;
  }

  /** Broadcast lines seen since the mark (the load the clients absorbed). */
  linesSinceMark(): number {
    return this.running.reduce((n, r) => n + r.proc.lines.length - r.mark, 0);
  }

  /** What each client saw since the mark that a well-behaved client must never see. */
  problems(): string[] {
    const out: string[] = [];
    for (const r of this.running) {
      if (r.proc.child.exitCode !== null || r.proc.child.signalCode !== null) out.push(`${r.label} exited (${r.proc.child.exitCode ?? r.proc.child.signalCode}): ${r.proc.stderr().trim()}`);
      const bad = r.proc.lines.slice(r.mark).filter((l: ClientLine) => !QUIET_EVENTS.has(l.event) || (l.event === 'raw-revoked' && String(l['leaseId']) === r.leaseId));
      for (const l of bad.slice(0, 5)) out.push(`${r.label} saw ${JSON.stringify(l)}`);
      if (bad.length > 5) out.push(`${r.label}: ${bad.length - 5} more such lines`);
    }
    return out;
  }

  /** Each client detaches and exits; killed if it does not within `ms`. */
  async leave(ms = 5000): Promise<void> {
    await Promise.all(
      this.running.map(async (r) => {
        try {
          r.proc.send('detach');
          await r.proc.next('detach-done', ms);
          r.proc.send('exit');
          await withTimeout(r.proc.exited, ms, `${r.label} to exit`);
        } finally {
          r.proc.kill();
        }
      }),
    );
  }

  kill(): void {
    for (const r of this.running) r.proc.kill();
  }
}
