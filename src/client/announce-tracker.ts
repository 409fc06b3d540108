/**
 * Announce tracking per stream (SHM_LAYOUT §7.5, REVOKE-06..09, EPOCH-02): decodes
 * ShmPoolAnnounce, keeps the highest epoch of every tracked stream, and tells its listeners
 * when the epoch changes (a hard remap boundary) and when a producer revoke is not followed by
 * the epoch-bumped announce in time. The consumer data plane builds on these events.
 *
 * Acceptance, in order (§7.5): tracked stream (rule 1); layoutVersion equal to the expected one
 * when one is set (rule 1, CLIENT-16); clock domain MONOTONIC or REALTIME_SYNCED (rule 3);
 * timestamp non-zero (rule 7) and fresh: `now ≤ announceTimestampNs + freshness` (rule 2) and,
 * for MONOTONIC, not older than the join time (rule 3); regions valid (ANNOUNCE-03, the checks of
 * an attach response); epoch not lower than the highest seen (rule 4).
 *
 * Times: `announceTimestampNs` (MONOTONIC) is compared with the scheduler's clock (monotonic ms
 * × 1e6, same host, same clock); REALTIME_SYNCED with `wallClockNs` (default Date.now()).
 */
import { ClockDomain, SbeDecodeError, ShmPoolAnnounceDecoder } from '../sbe/index.js';
import { checkRegions, type Regions } from './attach-response-check.js';
import { ClientProtocolError } from './client-errors.js';
import { CLIENT_DEFAULTS } from './client-types.js';
import type { Scheduler, TimerHandle } from './scheduler.js';
import { TypedEmitter } from './typed-emitter.js';

export interface AnnounceTrackerOptions {
  readonly scheduler: Scheduler;
  /** The driver's `policies.announce_period_ms` (ANNOUNCE-02). Default 1000. */
  readonly announcePeriodMs?: number;
  /** §7.5 rule 2. Default 3 × announce period. */
  readonly freshnessMs?: number;
  /** REVOKE-08: how long to wait for the epoch-bumped announce after a producer revoke. Default 3 × announce period (the spec; the RI waits 3 × freshness, D10). */
  readonly revokeWaitMs?: number;
  /** Wall clock in ns for REALTIME_SYNCED announces. Default `Date.now() × 1e6`. */
  readonly wallClockNs?: () => number;
}

/** What the tracker knows of a stream's current epoch. */
export interface StreamEpoch {
  readonly streamId: number;
  readonly epoch: bigint;
  /** PRODUCER-03: the producer's clientId, 0 for none; -1 when the epoch came from an attach response. */
  readonly producerId: number;
  readonly layoutVersion: number;
  readonly regions: Regions;
}

export interface EpochChange extends StreamEpoch {
  /** The epoch before, or null for the first one seen. */
  readonly previousEpoch: bigint | null;
}

export interface AnnounceTimeout {
  readonly streamId: number;
  /** The highest epoch seen when the wait started (the next announce must exceed it, REVOKE-09). */
  readonly epoch: bigint | null;
  readonly waitedMs: number;
}

export type AnnounceTrackerEvents = {
  /** EPOCH-02: the stream moved to a new epoch; drop in-flight frames, unmap, remap these regions. */
  'epoch-changed': [change: EpochChange];
  /** REVOKE-08: no epoch-bumped announce after a producer revoke; unmap and retry with backoff. */
  'announce-timeout': [timeout: AnnounceTimeout];
};

export type AnnounceVerdict =
  | 'epoch-changed'
  | 'same-epoch'
  | 'lower-epoch'
  | 'stale'
  | 'untracked'
  | 'layout-mismatch'
  | 'bad-clock-domain'
  | 'malformed';

interface Tracked {
  readonly streamId: number;
  /** Monotonic ns at track() (§7.5 rule 3). */
  readonly joinNs: bigint;
  expectedLayout: number | null;
  current: StreamEpoch | null;
  waitTimer: TimerHandle | null;
}

export class AnnounceTracker extends TypedEmitter<AnnounceTrackerEvents> {
  /** Announces per verdict (dropped ones included), for diagnostics and tests. */
  readonly counters: Record<AnnounceVerdict, number> = {
    'epoch-changed': 0,
    'same-epoch': 0,
    'lower-epoch': 0,
    stale: 0,
    untracked: 0,
    'layout-mismatch': 0,
    'bad-clock-domain': 0,
    malformed: 0,
  };
  /** Why the last malformed announce was rejected. */
  lastProblem: ClientProtocolError | null = null;

  private readonly scheduler: Scheduler;
  private readonly freshnessNs: bigint;
  private readonly revokeWaitMs: number;
  private readonly wallClockNs: () => number;
  private readonly streams = new Map<number, Tracked>();
  private readonly decoder = new ShmPoolAnnounceDecoder();

  constructor(options: AnnounceTrackerOptions) {
    super();
    const period = options.announcePeriodMs ?? CLIENT_DEFAULTS.announcePeriodMs;
    this.scheduler = options.scheduler;
    this.freshnessNs = BigInt(Math.round((options.freshnessMs ?? 3 * period) * 1e6));
    this.revokeWaitMs = options.revokeWaitMs ?? 3 * period;
    this.wallClockNs = options.wallClockNs ?? (() => Date.now() * 1e6);
  }

  /** Starts tracking a stream (now is its join time). Tracking again keeps what is known. */
  track(streamId: number, expectedLayoutVersion: number | null = null): void {
    const t = this.streams.get(streamId);
    if (t !== undefined) {
      if (expectedLayoutVersion !== null) t.expectedLayout = expectedLayoutVersion;
      return;
    }
    this.streams.set(streamId, { streamId, joinNs: this.nowNs(), expectedLayout: expectedLayoutVersion, current: null, waitTimer: null });
  }

  /**
   * Records the epoch an attach response granted (CLIENT-16) as the stream's baseline, tracking
   * the stream if needed. No event: the attach itself is the mapping point. A lower epoch than
   * one already seen is ignored (§7.5 rule 4).
   */
  adopt(streamId: number, epoch: bigint, layoutVersion: number, regions: Regions): void {
    this.track(streamId, layoutVersion);
    const t = this.streams.get(streamId) as Tracked;
    if (t.current !== null && t.current.epoch > epoch) return;
    t.current = { streamId, epoch, producerId: -1, layoutVersion, regions };
  }

  untrack(streamId: number): void {
    const t = this.streams.get(streamId);
    if (t === undefined) return;
    this.stopWait(t);
    this.streams.delete(streamId);
  }

  isTracked(streamId: number): boolean {
    return this.streams.has(streamId);
  }

  current(streamId: number): StreamEpoch | null {
    return this.streams.get(streamId)?.current ?? null;
  }

  /** True while waiting for the epoch-bumped announce after a producer revoke. */
  awaitingNewEpoch(streamId: number): boolean {
    return (this.streams.get(streamId)?.waitTimer ?? null) !== null;
  }

  /**
   * REVOKE-06 case 2: the producer lease of a tracked stream was revoked. The next accepted
   * announce must carry a strictly greater epoch (REVOKE-09); without one within the wait,
   * `announce-timeout` fires (REVOKE-08). Duplicate notices do not restart the wait (REVOKE-04).
   */
  producerRevoked(streamId: number): void {
    const t = this.streams.get(streamId);
    if (t === undefined || t.waitTimer !== null) return;
    const epoch = t.current?.epoch ?? null;
    t.waitTimer = this.scheduler.setTimeout(() => {
      t.waitTimer = null;
      this.emit('announce-timeout', { streamId, epoch, waitedMs: this.revokeWaitMs });
    }, this.revokeWaitMs);
  }

  /** Feeds one ShmPoolAnnounce frame (whole SBE message). */
  handleAnnounce(frame: Uint8Array): AnnounceVerdict {
    const v = this.judge(frame);
    this.counters[v]++;
    return v;
  }

  /** Stops every timer and forgets every stream. */
  close(): void {
    for (const t of this.streams.values()) this.stopWait(t);
    this.streams.clear();
  }

  private judge(frame: Uint8Array): AnnounceVerdict {
    let a: ShmPoolAnnounceDecoder;
    try {
      a = this.decoder.wrap(frame);
    } catch (err) {
      if (err instanceof SbeDecodeError) {
        this.lastProblem = new ClientProtocolError('SCHEMA-01', `undecodable ShmPoolAnnounce: ${err.message}`, { cause: err });
        return 'malformed';
      }
      throw err;
    }
    const t = this.streams.get(a.streamId());
    if (t === undefined) return 'untracked';
    const layoutVersion = a.layoutVersion();
    if (t.expectedLayout !== null && layoutVersion !== t.expectedLayout) return 'layout-mismatch';
    const ts = a.announceTimestampNs();
    const domain = a.announceClockDomain();
    if (ts === 0n) return 'stale';
    if (domain === ClockDomain.MONOTONIC) {
      if (this.nowNs() > ts + this.freshnessNs || ts + this.freshnessNs < t.joinNs) return 'stale';
    } else if (domain === ClockDomain.REALTIME_SYNCED) {
      if (BigInt(Math.round(this.wallClockNs())) > ts + this.freshnessNs) return 'stale';
    } else {
      return 'bad-clock-domain';
    }
    let regions: Regions;
    try {
      regions = checkRegions(a.headerNslots(), a.headerSlotBytes(), a.headerRegionUri(), a.payloadPools());
    } catch (err) {
      if (err instanceof ClientProtocolError) {
        this.lastProblem = err;
        return 'malformed';
      }
      throw err;
    }
    const epoch = a.epoch();
    const previous = t.current?.epoch ?? null;
    if (previous !== null && epoch < previous) return 'lower-epoch';
    const current: StreamEpoch = { streamId: t.streamId, epoch, producerId: a.producerId(), layoutVersion, regions };
    t.current = current;
    if (previous !== null && epoch === previous) return 'same-epoch';
    this.stopWait(t);
    this.emit('epoch-changed', { ...current, previousEpoch: previous });
    return 'epoch-changed';
  }

  private stopWait(t: Tracked): void {
    if (t.waitTimer === null) return;
    this.scheduler.clearTimeout(t.waitTimer);
    t.waitTimer = null;
  }

  private nowNs(): bigint {
    return BigInt(Math.round(this.scheduler.now() * 1e6));
  }
}
