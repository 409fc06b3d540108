/**
 * DriverClient: one client of a tensorpool driver, holding at most one lease (the RI allows one
 * live lease per clientId, IDENTITY-07). It attaches, keeps the lease alive, and when the lease
 * is lost — revoked, driver shutdown, connection loss, protocol error — stops using it, says so
 * (`lease-lost`), and reattaches with backoff until `detach()` or `close()`.
 *
 * The state machine is in client-machine.ts; docs/client.md has the API, events and defaults.
 */
import type { AnnounceTracker } from './announce-tracker.js';
import { ClientBusyError, ClientClosedError } from './client-errors.js';
import { ClientEngine, type ClientCounters } from './client-engine.js';
import type { AttachOptions, ClientState, DriverClientEvents, DriverClientOptions, Lease } from './client-types.js';
import type { Listener } from './typed-emitter.js';

export class DriverClient {
  private readonly engine: ClientEngine;

  constructor(options: DriverClientOptions) {
    this.engine = new ClientEngine(options);
  }

  /**
   * Attaches (connecting first if needed). Resolves with the first lease granted; rejects with
   * AttachRejectedError when the driver refuses this first attach (a "client_id already
   * attached" for an auto-assigned id is retried with a new id instead, IDENTITY-05),
   * AttachCancelledError on detach(), ClientClosedError on close(), ClientBusyError when an
   * attach is already wanted (CLIENT-10). Timeouts, connection loss and protocol errors are
   * retried with backoff, not reported here (watch the events). After the first lease the client
   * keeps reattaching on its own; each new lease is an `attached` event.
   */
  attach(options: AttachOptions): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      if (this.engine.state === 'Closed') return reject(new ClientClosedError());
      if (!this.engine.requestAttach(options, { resolve, reject })) reject(new ClientBusyError(this.engine.state));
    });
  }

  /**
   * Gives the lease back: sends ShmDetachRequest and waits for the response (Detaching →
   * Unattached) or the detach timeout; cancels an attach still in progress. Never rejects: a
   * detach is best effort (DETACH-01) and the driver expires what it does not receive.
   */
  detach(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.engine.state === 'Closed') return resolve();
      this.engine.requestDetach({ resolve, reject });
    });
  }

  /** Stops everything at once: no detach is sent (the connection's close lets the driver revoke). */
  close(): void {
    this.engine.close();
  }

  on<K extends keyof DriverClientEvents>(event: K, listener: Listener<DriverClientEvents[K]>): () => void {
    return this.engine.emitter.on(event, listener);
  }

  once<K extends keyof DriverClientEvents>(event: K, listener: Listener<DriverClientEvents[K]>): () => void {
    return this.engine.emitter.once(event, listener);
  }

  off<K extends keyof DriverClientEvents>(event: K, listener: Listener<DriverClientEvents[K]>): void {
    this.engine.emitter.off(event, listener);
  }

  get state(): ClientState {
    return this.engine.state;
  }

  /** The lease in use, or null (not attached, or lost and not yet reattached). */
  get lease(): Lease | null {
    return this.engine.lease;
  }

  /** The clientId in use (auto-assigned ones may change, IDENTITY-05). */
  get clientId(): number {
    return this.engine.clientId;
  }

  /**
   * Sends one data-plane message (a producer's FrameDescriptor, issue 6) on the control
   * connection, for the driver to relay to the stream's consumers. Returns false, sending
   * nothing, when no lease is held or the connection is gone. The bytes are copied or written
   * before it returns.
   */
  sendFrame(frame: Uint8Array): boolean {
    return this.engine.sendFrame(frame);
  }

  /**
   * Sets the handler of FrameDescriptors the driver relays to this (consumer) client; null
   * removes it. Called synchronously with bytes valid only during the call, only while a lease
   * is held. One handler per client (the data plane's Consumer).
   */
  onFrameDescriptor(handler: ((frame: Uint8Array) => void) | null): void {
    this.engine.descriptorHandler = handler;
  }

  /** Announce tracking of the lease's stream (epochs, producer revokes). */
  get announces(): AnnounceTracker {
    return this.engine.tracker;
  }

  get counters(): Readonly<ClientCounters> {
    return this.engine.counters;
  }
}
