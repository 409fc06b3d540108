/**
 * Test environment for the driver client: a manual scheduler that is also the embedded driver's
 * clock, an in-process transport behind a swappable connect factory, and helpers that move time
 * and deliver frames deterministically (no sleeps: `settle` only lets queued promises run).
 */
import { Driver } from '../../src/driver/driver.js';
import type { DriverConfig } from '../../src/driver/config/driver-config.js';
import type { ControlConnection } from '../../src/transport/control-connection.js';
import { InProcessTransport } from '../../src/transport/index.js';
import { DriverClient, ManualScheduler, type DriverClientOptions, type RandomSource } from '../../src/client/index.js';
import { FakeShm, testConfig } from '../driver/harness.js';

/** A deterministic PRNG in [0, 1) (mulberry32). */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lets promise callbacks and setImmediate-queued work run (not time: the scheduler is manual). */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A connection wrapper whose outgoing frames a test can drop (e.g. keepalives, template 5). */
export class FilteredConnection implements ControlConnection {
  dropTemplates = new Set<number>();
  sent: Uint8Array[] = [];
  constructor(private readonly inner: ControlConnection) {
    inner.onFrame = (f) => this.onFrame?.(f);
    inner.onClose = (c) => this.onClose?.(c);
  }
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onClose: ((cause: Error | null) => void) | null = null;
  get closed(): boolean {
    return this.inner.closed;
  }
  send(frame: Uint8Array): void {
    const template = frame[2]! | (frame[3]! << 8);
    if (this.dropTemplates.has(template)) return;
    this.sent.push(frame.slice());
    this.inner.send(frame);
  }
  close(): void {
    this.inner.close();
  }
}

export class Env {
  readonly sched = new ManualScheduler(5_000);
  transport!: InProcessTransport;
  driver!: Driver;
  shm!: FakeShm;
  /** Connections handed out, newest last. */
  readonly connections: FilteredConnection[] = [];
  /** When set, connect() fails (no driver listening). */
  refuse = false;
  connectCalls = 0;

  constructor(config: DriverConfig = testConfig()) {
    this.startDriver(config);
  }

  /** A fresh driver behind a fresh transport; the old transport's connections are dropped. */
  startDriver(config: DriverConfig = testConfig()): Driver {
    this.transport?.dropAll(new Error('driver process exited'));
    this.transport = new InProcessTransport();
    this.shm = new FakeShm();
    this.driver = new Driver({ config, shm: this.shm, sink: this.transport, clock: () => this.sched.now() * 1e6 }).start();
    this.transport.bind(this.driver);
    return this.driver;
  }

  readonly connect = async (): Promise<ControlConnection> => {
    this.connectCalls++;
    if (this.refuse) throw new Error('connect ECONNREFUSED');
    const c = new FilteredConnection(this.transport.connect());
    this.connections.push(c);
    return c;
  };

  client(options: Partial<DriverClientOptions> = {}, seed = 7): DriverClient {
    return new DriverClient({ connect: this.connect, scheduler: this.sched, random: seededRandom(seed), ...options });
  }

  /** Delivers every queued frame and lets promise callbacks run, until nothing moves. */
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      const n = this.transport.pump();
      await turn();
      quiet = n === 0 ? quiet + 1 : 0;
    }
  }

  /** Advances time in steps, ticking the driver and delivering frames after each. */
  async advance(ms: number, stepMs = 10): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      this.sched.advance(Math.min(stepMs, ms - done));
      this.driver.tick();
      await this.settle();
    }
  }
}
