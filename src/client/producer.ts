/**
 * The data plane's producer (issue 6): a DriverClient holding a PRODUCER lease, the regions the
 * lease names mapped read-write, and a FrameWriter over them. Each commit is followed by a
 * FrameDescriptor on the control connection, which the driver relays to the stream's consumers
 * (SHM_LAYOUT §5.2 step 7; docs/driver/DEVIATIONS.md). See docs/data/README.md "Producer and
 * consumer processes".
 *
 * Fail closed: the moment the lease is lost (revoked, expired, driver gone) publishing stops and
 * the regions are unmapped; the client's automatic reattach brings a new epoch (EPOCH-01b), which
 * is mapped afresh with a new writer whose seq starts at 0 (EPOCH-07).
 */
import { FrameWriter, type PublishLayout, type SlotClaim, type TensorLayout } from '../data/index.js';
import { FrameDescriptorEncoder } from '../sbe/index.js';
import { refreshActivity } from '../shm/map-region.js';
import type { ControlConnection } from '../transport/control-connection.js';
import { DriverClient } from './driver-client.js';
import { CLIENT_DEFAULTS, type AttachPublishMode, type DriverClientOptions, type Lease } from './client-types.js';
import { realScheduler, type Scheduler, type TimerHandle } from './scheduler.js';
import { leaseRegions, StreamMapping } from './stream-mapping.js';
import { TypedEmitter, type Listener } from './typed-emitter.js';

export interface ProducerOptions {
  readonly connect: () => Promise<ControlConnection>;
  readonly streamId: number;
  /** Directories the driver's regions must lie in (SHM_LAYOUT §10.1). */
  readonly allowedBaseDirs: readonly string[];
  readonly scheduler?: Scheduler;
  readonly clientOptions?: Omit<DriverClientOptions, 'connect' | 'scheduler'>;
  readonly publishMode?: AttachPublishMode;
  /** How often the superblocks' activity timestamp is refreshed. Default the announce period (OWN-07). */
  readonly activityIntervalMs?: number;
}

export type ProducerEvents = {
  /** A lease's regions were mapped: publishing works, from seq 0 (EPOCH-07). */
  mapped: [epoch: bigint];
  /** Publishing stopped and the regions were unmapped (the lease was lost, or close()). */
  unmapped: [epoch: bigint];
  /** A granted lease's regions failed the mapping checks: nothing was mapped (fail closed). */
  'map-failed': [error: Error];
};

export interface ProducerCounters {
  framesPublished: number;
  /** Frames larger than every pool's stride (§4 rule 6: dropped, never blocking). */
  framesDroppedOversize: number;
  /** claim/publish while no lease's regions are mapped (between a loss and the remap). */
  framesDroppedUnmapped: number;
  /** Descriptors that could not be sent (connection gone); the frame is in the ring regardless. */
  descriptorsNotSent: number;
  /** Successful mappings after the first (remaps to a new epoch). */
  remaps: number;
  mapFailures: number;
}

export class Producer {
  readonly client: DriverClient;
  readonly counters: ProducerCounters = {
    framesPublished: 0, framesDroppedOversize: 0, framesDroppedUnmapped: 0, descriptorsNotSent: 0, remaps: 0, mapFailures: 0,
  };
  private readonly emitter = new TypedEmitter<ProducerEvents>();
  private readonly scheduler: Scheduler;
  private readonly activityMs: number;
  private mapping: StreamMapping | null = null;
  private writer: FrameWriter | null = null;
  /** The writer of the open claim: a claim dies with its mapping (a remap gives a new writer). */
  private claimedOn: FrameWriter | null = null;
  private activityTimer: TimerHandle | null = null;
  private readonly descriptor = new FrameDescriptorEncoder();
  private readonly descriptorBytes = new Uint8Array(48);
  private mappedOnce = false;
  private firstError: Error | null = null;
  private closed = false;

  private constructor(private readonly options: ProducerOptions) {
    this.scheduler = options.scheduler ?? realScheduler();
    this.activityMs = options.activityIntervalMs ?? options.clientOptions?.announcePeriodMs ?? CLIENT_DEFAULTS.announcePeriodMs;
    this.client = new DriverClient({ ...options.clientOptions, connect: options.connect, scheduler: this.scheduler });
    // Listeners run inside the client's steps, before attach() resolves: a lease is never
    // observable unmapped-but-usable, and a lost lease is unmapped before anyone publishes again.
    this.client.on('attached', (lease) => this.map(lease));
    this.client.on('lease-lost', () => this.unmap());
  }

  /**
   * Attaches as PRODUCER and maps the granted regions. Rejects with the attach error, or with the
   * ShmMapError of a grant whose regions fail the checks (nothing stays mapped, the client is
   * closed).
   */
  static async open(options: ProducerOptions): Promise<Producer> {
    const p = new Producer(options);
    try {
      const attach: Parameters<DriverClient['attach']>[0] = { streamId: options.streamId, role: 'producer' };
      await p.client.attach(options.publishMode === undefined ? attach : { ...attach, publishMode: options.publishMode });
    } catch (error) {
      p.client.close();
      throw error;
    }
    if (p.writer === null) {
      const error = p.firstError ?? new Error('producer: lease granted but not mapped');
      // Detach sent, not awaited: the grant was unusable and open() must settle now.
      void p.close();
      throw error;
    }
    return p;
  }

  on<K extends keyof ProducerEvents>(event: K, listener: Listener<ProducerEvents[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  /** The mapped epoch, or null while not publishing. */
  get epoch(): bigint | null {
    return this.writer?.epoch ?? null;
  }

  get streamId(): number | null {
    return this.writer?.streamId ?? null;
  }

  /** The seq the next commit gets. */
  get nextSeq(): number {
    return this.writer?.nextSeq ?? 0;
  }

  /** True while a lease's regions are mapped (publishing works). */
  get ready(): boolean {
    return this.writer !== null;
  }

  /**
   * A writable view of `bytes` payload bytes in the next slot, or null: no pool fits (counted
   * `framesDroppedOversize`, §4 rule 6) or nothing is mapped (`framesDroppedUnmapped`). Never blocks.
   */
  claim(bytes: number): SlotClaim | null {
    const w = this.writer;
    if (w === null) {
      this.counters.framesDroppedUnmapped++;
      return null;
    }
    const c = w.claim(bytes);
    if (c === null) this.counters.framesDroppedOversize++;
    else this.claimedOn = w;
    return c;
  }

  /**
   * Commits a claimed slot (§5.2 steps 4–8) and then sends its FrameDescriptor (step 7, never
   * before the commit). Returns the seq, or null if the lease was lost since the claim (the
   * claim died with the mapping; nothing is published).
   */
  commit(claim: SlotClaim, layout: TensorLayout): number | null {
    const w = this.writer;
    if (w === null || this.claimedOn !== w) {
      this.counters.framesDroppedUnmapped++;
      return null;
    }
    const seq = w.commit(claim, layout);
    this.claimedOn = null;
    this.counters.framesPublished++;
    this.sendDescriptor(w, seq);
    return seq;
  }

  /** Gives a claim back unpublished (the slot is left in progress; readers skip it). */
  abandon(claim: SlotClaim): void {
    const w = this.writer;
    if (w !== null && this.claimedOn === w) w.abandon(claim);
    this.claimedOn = null;
  }

  /** claim + copy + commit. Returns the seq, or null when dropped (counted). */
  publish(data: ArrayBufferView, layout?: PublishLayout): number | null {
    const w = this.writer;
    if (w === null) {
      this.counters.framesDroppedUnmapped++;
      return null;
    }
    const seq = w.publish(data, layout);
    if (seq === null) {
      this.counters.framesDroppedOversize++;
      return null;
    }
    this.counters.framesPublished++;
    this.sendDescriptor(w, seq);
    return seq;
  }

  /** Detaches (best effort), unmaps and closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Unmapped first: nothing can be published while the detach is in flight.
    this.unmap();
    await this.client.detach();
    this.client.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  private sendDescriptor(w: FrameWriter, seq: number): void {
    const n = this.descriptor.wrapAndApplyHeader(this.descriptorBytes).streamId(w.streamId).epoch(w.epoch).seqNumber(seq).finish();
    if (!this.client.sendFrame(n === 48 ? this.descriptorBytes : this.descriptorBytes.subarray(0, n))) this.counters.descriptorsNotSent++;
  }

  private map(lease: Lease): void {
    this.unmap();
    if (this.closed) return;
    let mapping: StreamMapping;
    try {
      mapping = StreamMapping.map(leaseRegions(lease), true, this.options.allowedBaseDirs);
    } catch (error) {
      // Fail closed (SHM_LAYOUT §7.6): never publish into regions that failed their checks.
      this.counters.mapFailures++;
      const e = error instanceof Error ? error : new Error(String(error));
      this.firstError ??= e;
      this.emitter.emit('map-failed', e);
      return;
    }
    this.mapping = mapping;
    // EPOCH-07: a new epoch's seq restarts at 0 (a new writer).
    this.writer = new FrameWriter(mapping.ring);
    if (this.mappedOnce) this.counters.remaps++;
    this.mappedOnce = true;
    this.refreshActivity();
    this.emitter.emit('mapped', mapping.epoch);
  }

  private unmap(): void {
    if (this.activityTimer !== null) this.scheduler.clearTimeout(this.activityTimer);
    this.activityTimer = null;
    const m = this.mapping;
    this.mapping = null;
    this.writer = null;
    if (m === null) return;
    m.close();
    this.emitter.emit('unmapped', m.epoch);
  }

  /**
   * §2.3 rule 3 / OWN-07: the producer keeps every region's activityTimestampNs fresh, once per
   * announce interval (the RI's cadence), so that GC and inspectors see a live writer.
   */
  private refreshActivity(): void {
    const m = this.mapping;
    if (m === null || m.closed) return;
    const now = BigInt(Math.floor(this.scheduler.now() * 1e6));
    for (const r of m.regions()) refreshActivity(r, now);
    this.activityTimer = this.scheduler.setTimeout(() => this.refreshActivity(), this.activityMs);
  }
}
