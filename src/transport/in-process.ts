/**
 * The in-process control plane: clients and an embedded driver in one process, exchanging the
 * same SBE frames a socket would carry. Delivery is queued in both directions and runs when
 * `pump()` is called, so nothing re-enters the driver while it handles a message (its machines
 * run to completion) and tests are deterministic: no timers, no sleeps.
 */
import type { Driver } from '../driver/driver.js';
import { BROADCAST, type DriverSink } from '../driver/outbox.js';
import type { ControlConnection } from './control-connection.js';

export type FrameHandler = (frame: Uint8Array) => void;

interface Pending {
  readonly from: number;
  readonly to: number;
  readonly frame: Uint8Array;
}

/** Sentinel `from` for frames the driver sent. */
const DRIVER = -2;

export class InProcessConnection implements ControlConnection {
  /** Frames from the driver: responses to this connection and every broadcast. */
  onFrame: FrameHandler | null = null;
  onClose: ((cause: Error | null) => void) | null = null;
  closed = false;

  constructor(
    private readonly hub: InProcessTransport,
    readonly id: number,
  ) {}

  /** Queues one SBE message (header + body) for the driver. The bytes are copied. */
  send(frame: Uint8Array): void {
    if (this.closed) throw new Error(`in-process connection ${this.id} is closed`);
    this.hub.enqueue(this.id, frame);
  }

  /** Closes the connection; the driver treats it as the client going away. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.disconnect(this);
    this.onClose?.(null);
  }

  /** The driver side went away (e.g. `InProcessTransport.shutdown`). */
  lost(cause: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(cause);
  }
}

export class InProcessTransport implements DriverSink {
  private driver: Driver | null = null;
  private readonly connections = new Map<number, InProcessConnection>();
  private readonly queue: Pending[] = [];
  private nextId = 1;

  /** Binds the driver that this transport is the sink of (construct the driver with it first). */
  bind(driver: Driver): this {
    this.driver = driver;
    return this;
  }

  connect(): InProcessConnection {
    const c = new InProcessConnection(this, this.nextId++);
    this.connections.set(c.id, c);
    return c;
  }

  /** DriverSink: the driver's output, queued for delivery. */
  send(connection: number, buffer: Uint8Array, offset: number, length: number): void {
    this.queue.push({ from: DRIVER, to: connection, frame: buffer.slice(offset, offset + length) });
  }

  enqueue(from: number, frame: Uint8Array): void {
    this.queue.push({ from, to: DRIVER, frame: frame.slice() });
  }

  disconnect(c: InProcessConnection): void {
    this.connections.delete(c.id);
    this.pump();
    this.driver?.connectionClosed(c.id);
  }

  /** Drops every connection as if the driver process died (clients see onClose with a cause). */
  dropAll(cause: Error = new Error('driver connection lost')): void {
    const all = [...this.connections.values()];
    this.connections.clear();
    this.queue.length = 0;
    for (const c of all) c.lost(cause);
  }

  /**
   * Delivers queued frames, in order, until none are left (frames queued by handlers during
   * the pump are delivered too). Returns how many were delivered.
   */
  pump(): number {
    const driver = this.driver;
    if (driver === null) throw new Error('InProcessTransport.pump: bind(driver) first');
    let delivered = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      driver.updateTime();
      for (const m of batch) {
        delivered++;
        if (m.to === DRIVER) {
          driver.receive(m.from, m.frame);
        } else if (m.to === BROADCAST) {
          for (const c of this.connections.values()) c.onFrame?.(m.frame);
        } else {
          this.connections.get(m.to)?.onFrame?.(m.frame);
        }
      }
    }
    return delivered;
  }
}
