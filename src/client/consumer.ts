/**
 * The data plane's consumer (issue 6): a DriverClient holding a CONSUMER lease, the stream's
 * regions mapped read-only, and a FrameReader handing out zero-copy Frame flyweights. See
 * docs/data/README.md "Producer and consumer processes".
 *
 * Mapping state machine (SHM_LAYOUT §7.6), fail closed: a new lease is mapped; a lost lease, a
 * revoke of the stream's producer (REVOKE-06 case 2) or an announce of a higher epoch (EPOCH-02,
 * CLIENT-15) stops reading and unmaps at once; the higher epoch's announce is then mapped afresh,
 * reading from seq 0 (EPOCH-07). Regions that fail any check are never mapped (counted,
 * `map-failed`), and the consumer waits for the next epoch.
 *
 * Wake-up: in 'event' mode reads are attempted when the driver relays a FrameDescriptor (no CPU
 * while idle); in 'poll' mode a setImmediate loop polls the ring while someone waits for a frame
 * (lowest latency, one core busy). In both modes the ring's seqlock is the truth and a
 * descriptor only a hint.
 */
import { FrameReader, type AtomicWordMode, type Frame } from '../data/index.js';
import { FrameDescriptorDecoder } from '../sbe/index.js';
import type { ControlConnection } from '../transport/control-connection.js';
import type { EpochChange } from './announce-tracker.js';
import { DriverClient } from './driver-client.js';
import type { DriverClientOptions, Lease } from './client-types.js';
import type { Scheduler } from './scheduler.js';
import { leaseRegions, StreamMapping, type StreamEpochRegions } from './stream-mapping.js';
import { TypedEmitter, type Listener } from './typed-emitter.js';

export type ConsumerMode = 'event' | 'poll';

export interface ConsumerOptions {
  readonly connect: () => Promise<ControlConnection>;
  readonly streamId: number;
  /** Directories the driver's regions must lie in (SHM_LAYOUT §10.1). */
  readonly allowedBaseDirs: readonly string[];
  /** Default 'event'. */
  readonly mode?: ConsumerMode;
  readonly scheduler?: Scheduler;
  readonly clientOptions?: Omit<DriverClientOptions, 'connect' | 'scheduler'>;
  readonly atomicWord?: AtomicWordMode;
}

export type ConsumerEvents = {
  /** An epoch's regions were mapped; reading resumes from its seq 0. */
  mapped: [epoch: bigint];
  /** Reading stopped and the regions were unmapped (`why`: lease-lost, producer-revoked, epoch-changed, closed). */
  unmapped: [epoch: bigint, why: string];
  /** Regions named by a lease or announce failed the checks: nothing was mapped (fail closed). */
  'map-failed': [error: Error];
};

export interface ConsumerCounters {
  framesRead: number;
  /** Overwritten before they were read (the consumer was lapped, §5.4). */
  framesOverwritten: number;
  /** Changed between the two seq_commit loads (§5.4). */
  framesTorn: number;
  /** Failed the §7.2 per-frame validation. */
  framesInvalid: number;
  /** Older than a frame already read from the slot (§5.4 stale). */
  framesStale: number;
  /** Relayed descriptors ignored: not this stream, or not the mapped epoch (§7.2 rule 9). */
  descriptorsIgnored: number;
  remaps: number;
  mapFailures: number;
}

interface Waiter {
  resolve(result: IteratorResult<Frame>): void;
}

const DONE: IteratorResult<Frame> = { done: true, value: undefined };

export class Consumer implements AsyncIterable<Frame> {
  readonly client: DriverClient;
  readonly mode: ConsumerMode;
  private readonly emitter = new TypedEmitter<ConsumerEvents>();
  private readonly retired = { framesRead: 0, framesOverwritten: 0, framesTorn: 0, framesInvalid: 0, framesStale: 0 };
  private descriptorsIgnored = 0;
  private remaps = 0;
  private mapFailures = 0;
  private mapping: StreamMapping | null = null;
  private reader: FrameReader | null = null;
  /** The reader's epoch as a number, or -1 when unmapped or beyond 2^53 - 1 (compared as bigint). */
  private epochNumber = -1;
  private mappedOnce = false;
  private firstError: Error | null = null;
  private closed = false;
  private waiter: Waiter | null = null;
  private callback: ((frame: Frame) => void) | null = null;
  private spinning = false;
  private readonly descriptor = new FrameDescriptorDecoder();
  private readonly spin = (): void => this.spinOnce();

  private constructor(private readonly options: ConsumerOptions) {
    this.mode = options.mode ?? 'event';
    const clientOptions = options.scheduler === undefined ? { ...options.clientOptions, connect: options.connect } : { ...options.clientOptions, connect: options.connect, scheduler: options.scheduler };
    this.client = new DriverClient(clientOptions);
    this.client.on('attached', (lease) => this.mapLease(lease));
    this.client.on('lease-lost', () => this.unmap('lease-lost'));
    // REVOKE-06 case 2: the producer's regions are about to be replaced; stop before they are.
    this.client.on('producer-revoked', () => this.unmap('producer-revoked'));
    this.client.on('epoch-changed', (change) => this.onEpochChanged(change));
    this.client.onFrameDescriptor((frame) => this.onDescriptor(frame));
  }

  /**
   * Attaches as CONSUMER and maps the granted regions. Rejects with the attach error, or with the
   * ShmMapError of a grant whose regions fail the checks (nothing stays mapped, the client is
   * closed).
   */
  static async open(options: ConsumerOptions): Promise<Consumer> {
    const c = new Consumer(options);
    try {
      await c.client.attach({ streamId: options.streamId, role: 'consumer' });
    } catch (error) {
      c.client.close();
      throw error;
    }
    if (c.reader === null && c.firstError !== null) {
      const error = c.firstError;
      // Detach sent, not awaited: the grant was unusable and open() must settle now.
      void c.close();
      throw error;
    }
    return c;
  }

  on<K extends keyof ConsumerEvents>(event: K, listener: Listener<ConsumerEvents[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  /** The mapped epoch, or null while not reading (waiting for a lease or a new epoch). */
  get epoch(): bigint | null {
    return this.reader?.epoch ?? null;
  }

  get counters(): Readonly<ConsumerCounters> {
    const r = this.reader;
    const t = this.retired;
    return {
      framesRead: t.framesRead + (r?.framesRead ?? 0),
      framesOverwritten: t.framesOverwritten + (r?.framesOverwritten ?? 0),
      framesTorn: t.framesTorn + (r?.framesTorn ?? 0),
      framesInvalid: t.framesInvalid + (r?.framesInvalid ?? 0),
      framesStale: t.framesStale + (r?.framesStale ?? 0),
      descriptorsIgnored: this.descriptorsIgnored,
      remaps: this.remaps,
      mapFailures: this.mapFailures,
    };
  }

  /**
   * The next frame now, or null if none is committed yet (or nothing is mapped). The Frame is the
   * reader's flyweight: valid until the next frame is requested; its data views shared memory the
   * producer may overwrite — call `frame.stillValid()` after use.
   */
  tryRead(): Frame | null {
    const r = this.reader;
    return r === null ? null : r.poll();
  }

  /** Resolves with the next frame (valid until the next request), or null once closed. */
  async read(): Promise<Frame | null> {
    const r = await this.next();
    return r.done === true ? null : r.value;
  }

  /**
   * Calls `fn` with each frame as it arrives (valid only during the call), starting after
   * onFrame returns (frames already in the ring first). One callback at a time; returns a
   * function that stops delivery. Not combinable with a pending iterator read.
   */
  onFrame(fn: (frame: Frame) => void): () => void {
    if (this.waiter !== null) throw new Error('Consumer.onFrame: an iterator read is pending');
    this.callback = fn;
    // Not synchronously: frames already in the ring must not reach `fn` before onFrame returns
    // (the caller may not hold the stop function yet).
    queueMicrotask(() => {
      if (this.callback === fn) this.wake();
    });
    return () => {
      if (this.callback === fn) this.callback = null;
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return DONE;
      },
    };
  }

  next(): Promise<IteratorResult<Frame>> {
    if (this.closed) return Promise.resolve(DONE);
    if (this.callback !== null) return Promise.reject(new Error('Consumer: frames go to the onFrame callback'));
    if (this.waiter !== null) return Promise.reject(new Error('Consumer: one read at a time'));
    const f = this.tryRead();
    if (f !== null) return Promise.resolve({ done: false, value: f });
    return new Promise((resolve) => {
      this.waiter = { resolve };
      // tryRead() just found nothing: no second poll, only the poll loop to start (poll mode).
      this.spinIfWanted();
    });
  }

  /** Stops reading, unmaps, detaches (best effort) and closes the client; pending reads end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.callback = null;
    this.unmap('closed');
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(DONE);
    this.client.onFrameDescriptor(null);
    await this.client.detach();
    this.client.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  /** Delivers what the ring holds to whoever waits. */
  private deliver(): void {
    for (;;) {
      const r = this.reader;
      if (r === null || this.closed) return;
      const cb = this.callback;
      if (cb !== null) {
        const f = r.poll();
        if (f === null) return;
        cb(f);
        continue;
      }
      const w = this.waiter;
      if (w === null) return;
      const f = r.poll();
      if (f === null) return;
      this.waiter = null;
      w.resolve({ done: false, value: f });
      return;
    }
  }

  /** Something may be readable: deliver now, and in poll mode keep spinning while wanted. */
  private wake(): void {
    this.deliver();
    this.spinIfWanted();
  }

  private spinIfWanted(): void {
    if (this.mode === 'poll' && !this.spinning && this.wanted()) {
      this.spinning = true;
      setImmediate(this.spin);
    }
  }

  private wanted(): boolean {
    return !this.closed && this.reader !== null && (this.callback !== null || this.waiter !== null);
  }

  private spinOnce(): void {
    this.spinning = false;
    this.wake();
  }

  private onDescriptor(frame: Uint8Array): void {
    const r = this.reader;
    try {
      const d = this.descriptor.wrap(frame);
      // §7.2 rule 9: a descriptor of another epoch (or stream) says nothing about our ring.
      // The epoch is compared as a number when ours is one (no bigint per descriptor); a
      // descriptor epoch beyond 2^53 then throws, and is another epoch: ignored below.
      const e = this.epochNumber;
      if (r === null || d.streamId() !== r.streamId || (e >= 0 ? d.epochNumber() !== e : d.epoch() !== r.epoch)) {
        this.descriptorsIgnored++;
        return;
      }
    } catch {
      this.descriptorsIgnored++;
      return;
    }
    this.deliver();
  }

  private onEpochChanged(change: EpochChange): void {
    if (this.closed || change.streamId !== this.client.lease?.streamId) return;
    if (this.reader !== null && change.epoch === this.reader.epoch) return;
    // EPOCH-02: stop reading the old epoch before anything of the new one is touched.
    this.unmap('epoch-changed');
    this.map(change);
  }

  private mapLease(lease: Lease): void {
    this.unmap('lease-lost');
    this.map(leaseRegions(lease));
  }

  private map(e: StreamEpochRegions): void {
    if (this.closed) return;
    let mapping: StreamMapping;
    try {
      mapping = StreamMapping.map(e, false, this.options.allowedBaseDirs);
    } catch (error) {
      // SHM_LAYOUT §7.6: fail closed; wait for the next epoch (or lease).
      this.mapFailures++;
      const err = error instanceof Error ? error : new Error(String(error));
      this.firstError ??= err;
      this.emitter.emit('map-failed', err);
      return;
    }
    this.mapping = mapping;
    // EPOCH-07: every epoch's seq starts at 0.
    this.reader = this.options.atomicWord === undefined ? new FrameReader(mapping.ring) : new FrameReader(mapping.ring, { atomicWord: this.options.atomicWord });
    this.epochNumber = mapping.epoch <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mapping.epoch) : -1;
    if (this.mappedOnce) this.remaps++;
    this.mappedOnce = true;
    this.emitter.emit('mapped', mapping.epoch);
    // Frames may already be in the ring (committed before we mapped): deliver them now.
    this.wake();
  }

  private unmap(why: string): void {
    const r = this.reader;
    if (r !== null) {
      const t = this.retired;
      t.framesRead += r.framesRead;
      t.framesOverwritten += r.framesOverwritten;
      t.framesTorn += r.framesTorn;
      t.framesInvalid += r.framesInvalid;
      t.framesStale += r.framesStale;
    }
    this.reader = null;
    this.epochNumber = -1;
    const m = this.mapping;
    this.mapping = null;
    if (m === null) return;
    m.close();
    this.emitter.emit('unmapped', m.epoch, why);
  }
}
