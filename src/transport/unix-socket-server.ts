/**
 * `DriverServer`: a Driver on a Unix stream socket (docs/TRANSPORT.md). Owns the listening
 * socket, the Driver, the connection table and each connection's outbound queue.
 *
 * - Input: each 'data' event reads the clock once (`driver.updateTime()`), then feeds every
 *   complete frame to the driver, in order; admin frames (schema 0x7470) are answered here.
 * - Output: the Driver's sink maps connection ids to sockets; BROADCAST goes to all. Each socket's
 *   write queue is bounded (`maxOutboundBytes`): a reader that falls behind is closed and counted,
 *   never waited for, so one stuck client cannot stall the driver or grow its memory.
 * - Timers: `driver.tick()` every `tickIntervalMs` (unref'd: the listening socket is what keeps
 *   the process alive).
 * - Stop: `driver.close()` broadcasts ShmDriverShutdown, every socket is ended after its queue
 *   drains (bounded by `drainTimeoutMs`), the socket file is removed. A ShmDriverShutdownRequest
 *   with the token stops the server the same way once the driver reaches Stopped.
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../driver/clock.js';
import type { DriverConfig } from '../driver/config/driver-config.js';
import { Driver } from '../driver/driver.js';
import { FsShmBackend } from '../driver/fs-shm-backend.js';
import { BROADCAST, type DriverSink } from '../driver/outbox.js';
import type { ShmBackend } from '../driver/shm-backend.js';
import { decodeAdminRequest, encodeStatusResponse, isAdminMessage } from './admin-codec.js';
import { parseChannel } from './channel.js';
import { LengthPrefixDecoder, type FrameSink } from './length-prefix-framing.js';
import { FrameWriteKind, SocketFrameOutput, stagedLength, stageFrame } from './socket-frame-output.js';
import { buildStatusDocument, statusJson, type StatusDocument } from './status-document.js';
import { TransportCounters } from './transport-counters.js';
import { TransportError, TransportErrorCode } from './transport-error.js';
import { claimSocketPath, SOCKET_DIR_MODE } from './unix-socket-path.js';

export type ServerLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** One structured event: a stable dotted name plus fields (the CLI prints it as one JSON line). */
export type ServerLogger = (level: ServerLogLevel, event: string, fields: Readonly<Record<string, unknown>>) => void;

export interface DriverServerOptions {
  readonly config: DriverConfig;
  /** Default: the real filesystem (FsShmBackend over `config`). */
  readonly shm?: ShmBackend;
  readonly clock?: Clock;
  readonly log?: ServerLogger;
  /** Mode of the socket file. Default 0o660: the user and their group may connect. */
  readonly socketMode?: number;
  /** Mode of socket directories the server creates. Default 0o770. */
  readonly socketDirMode?: number;
  /** Bound of one connection's unsent bytes; above it the connection is closed. Default 4 MiB. */
  readonly maxOutboundBytes?: number;
  /** Period of `driver.tick()`. Default 10 ms. */
  readonly tickIntervalMs?: number;
  /** How long a graceful stop waits for clients to read the shutdown notice. Default 1000 ms. */
  readonly drainTimeoutMs?: number;
}

export const DEFAULT_SOCKET_MODE = 0o660;
export const DEFAULT_MAX_OUTBOUND_BYTES = 4 * 1024 * 1024;
export const DEFAULT_TICK_INTERVAL_MS = 10;
export const DEFAULT_DRAIN_TIMEOUT_MS = 1000;

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly decoder: LengthPrefixDecoder;
  readonly output: SocketFrameOutput;
  closed: boolean;
  /** Holds messages of the open batch (see `DriverServer.sendBatch`), this many. */
  holding: boolean;
  heldFrames: number;
}

export class DriverServer {
  readonly driver: Driver;
  readonly channel: string;
  readonly socketPath: string;
  readonly counters = new TransportCounters();
  /** Resolves once the server has stopped (by `stop()`, a signal, or a shutdown request). */
  readonly stopped: Promise<void>;

  private readonly config: DriverConfig;
  private readonly log: ServerLogger;
  private readonly maxOutboundBytes: number;
  private readonly drainTimeoutMs: number;
  private readonly connections = new Map<number, Connection>();
  private readonly net: Server;
  private readonly startedAt = performance.now();
  private nextId = 1;
  private current: Connection | null = null;
  /** A batch is open: messages are held per connection until `sendBatch`. */
  private batching = false;
  /** Connections holding messages of the open batch. */
  private readonly holding: Connection[] = [];
  private timer: NodeJS.Timeout | null = null;
  private tickPending = false;
  /** The driver time at the end of the previous tick (see onTick); 0 before the first. */
  private expiryHorizonNs = 0;
  private stopping: Promise<void> | null = null;
  private resolveStopped: () => void = () => undefined;
  /** Identity of the socket file we bound, so stop never unlinks a successor's socket. */
  private socketIno = -1;

  private constructor(options: DriverServerOptions, socketPath: string) {
    this.config = options.config;
    this.channel = options.config.driver.controlChannel;
    this.socketPath = socketPath;
    this.log = options.log ?? (() => undefined);
    this.maxOutboundBytes = options.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    const sink: DriverSink = { send: (to, buffer, offset, length) => this.send(to, buffer, offset, length) };
    this.driver = new Driver({
      config: options.config,
      shm: options.shm ?? new FsShmBackend(options.config, { warn: (message) => this.log('warn', 'shm.warning', { message }) }),
      sink,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      logger: (level, message) => this.log(level, 'driver.log', { message }),
    });
    this.net = createServer((socket) => this.accept(socket));
  }

  /**
   * Claims the socket path (refusing a live driver's socket, replacing a stale one), listens,
   * then starts the driver. Throws ConfigError-free TransportErrors (UNSAFE_PATH, IN_USE) and
   * whatever the SHM backend throws for an unusable base directory.
   */
  static async start(options: DriverServerOptions): Promise<DriverServer> {
    const { path } = parseChannel(options.config.driver.controlChannel);
    // The socket is claimed before anything touches SHM: a second driver must fail before its
    // startup GC could remove a live driver's epochs.
    const replaced = await claimSocketPath(path, options.socketDirMode ?? SOCKET_DIR_MODE);
    const server = new DriverServer(options, path);
    if (replaced) server.log('warn', 'socket.stale_replaced', { path });
    await server.listen(options.socketMode ?? DEFAULT_SOCKET_MODE);
    server.driver.start();
    const tick = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
    server.timer = setInterval(() => server.onTimer(), tick);
    server.timer.unref();
    server.log('info', 'server.listening', { channel: server.channel, path, mode: (options.socketMode ?? DEFAULT_SOCKET_MODE).toString(8) });
    return server;
  }

  private listen(mode: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error & { code?: string }): void => {
        reject(
          e.code === 'EADDRINUSE'
            ? new TransportError(TransportErrorCode.IN_USE, `another driver took unix:${this.socketPath} while this one was starting`, { cause: e })
            : new TransportError(TransportErrorCode.UNSAFE_PATH, `cannot listen on unix:${this.socketPath}: ${e.message}`, { cause: e }),
        );
      };
      this.net.once('error', onError);
      this.net.listen(this.socketPath, () => {
        this.net.off('error', onError);
        this.net.on('error', (e) => this.log('error', 'server.error', { message: e.message }));
        try {
          // The directory (0o770, ours) already keeps others out while the umask-derived mode
          // is in place; chmod makes the documented mode exact.
          chmodSync(this.socketPath, mode);
          this.socketIno = lstatSync(this.socketPath).ino;
        } catch (e) {
          this.net.close();
          reject(new TransportError(TransportErrorCode.UNSAFE_PATH, `cannot set the mode of ${this.socketPath}: ${(e as Error).message}`, { cause: e }));
          return;
        }
        resolve();
      });
    });
  }

  /** What `tensorpool status` shows (also the StatusResponse document). */
  status(): StatusDocument {
    return buildStatusDocument({
      snapshot: this.driver.snapshot(),
      nowNs: this.driver.nowNs,
      instanceId: this.config.driver.instanceId,
      namespace: this.config.shm.namespace,
      channel: this.channel,
      uptimeMs: performance.now() - this.startedAt,
      connections: this.connections.size,
      transportCounters: this.counters.snapshot(),
    });
  }

  // ---- connections -----------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.stopping !== null) {
      socket.destroy();
      return;
    }
    const conn: Connection = { id: this.nextId++, socket, decoder: new LengthPrefixDecoder(), output: new SocketFrameOutput(socket), closed: false, holding: false, heldFrames: 0 };
    this.connections.set(conn.id, conn);
    this.counters.connectionsAccepted++;
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (e) => this.log('debug', 'connection.error', { connection: conn.id, message: e.message }));
    socket.on('close', () => this.onClosed(conn));
    this.log('debug', 'connection.open', { connection: conn.id });
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return;
    this.counters.bytesIn += chunk.length;
    this.driver.updateTime();
    this.current = conn;
    this.batching = true;
    try {
      conn.decoder.push(chunk, this.deliver);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      this.counters.protocolErrors++;
      this.log('warn', 'connection.protocol_error', { connection: conn.id, code: e.code, message: e.message });
      this.drop(conn);
    } finally {
      this.current = null;
      this.sendBatch();
    }
    this.checkStopped();
  }

  /**
   * Between `batching = true` and `sendBatch()` (one read's messages, one tick, one closed
   * connection) every connection's messages are held and then sent with one send(2) per
   * connection: a tick's periodic announces of 16 streams to 1,000 connections were 16,000
   * writes (found by the soak, issue 7), now 1,000. Order per connection is unchanged.
   */
  private sendBatch(): void {
    this.batching = false;
    const held = this.holding;
    for (let i = 0; i < held.length; i++) {
      const c = held[i] as Connection;
      c.holding = false;
      if (!c.closed && c.output.sendHeld()) this.counters.framesOutDirect += c.heldFrames;
      c.heldFrames = 0;
    }
    held.length = 0;
  }

  /** One complete frame from `this.current` (created once: frame delivery allocates nothing). */
  private readonly deliver: FrameSink = (buffer, offset, length) => {
    const conn = this.current as Connection;
    // Dropped mid-read (e.g. its queue overflowed): the rest of its read is not acted on.
    if (conn.closed) return;
    this.counters.framesIn++;
    if (isAdminMessage(buffer, offset, length)) {
      this.handleAdmin(conn, buffer, offset, length);
      return;
    }
    this.driver.receive(conn.id, buffer, offset, length);
  };

  private handleAdmin(conn: Connection, buffer: Uint8Array, offset: number, length: number): void {
    const req = decodeAdminRequest(buffer, offset, length);
    if (req.kind === 'invalid') {
      this.counters.adminErrors++;
      this.log('debug', 'admin.invalid', { connection: conn.id, reason: req.reason });
      return;
    }
    this.counters.statusRequests++;
    const response = encodeStatusResponse(req.correlationId, statusJson(this.status()));
    stageFrame(response, 0, response.length);
    this.writeStagedTo(conn);
  }

  private onClosed(conn: Connection): void {
    conn.closed = true;
    if (!this.connections.delete(conn.id)) return;
    this.counters.connectionsClosed++;
    this.log('debug', 'connection.closed', { connection: conn.id });
    // During a stop the driver is Stopped and its notices are already out.
    if (this.stopping !== null) return;
    this.batching = true;
    try {
      this.driver.connectionClosed(conn.id);
    } finally {
      this.sendBatch();
    }
    this.checkStopped();
  }

  private drop(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.socket.destroy();
  }

  // ---- output ----------------------------------------------------------------------------------

  private send(to: number, buffer: Uint8Array, offset: number, length: number): void {
    // Framed once (the driver reuses `buffer`), written to every broadcast target; a socket with
    // nothing queued takes it without an allocation (socket-frame-output.ts).
    if (to === BROADCAST) {
      stageFrame(buffer, offset, length);
      for (const c of this.connections.values()) this.writeStagedTo(c);
      return;
    }
    const conn = this.connections.get(to);
    if (conn === undefined || conn.closed) {
      this.counters.undeliverable++;
      return;
    }
    stageFrame(buffer, offset, length);
    this.writeStagedTo(conn);
  }

  private writeStagedTo(conn: Connection): void {
    const s = conn.socket;
    if (conn.closed || s.writableEnded) return;
    const bytes = stagedLength();
    const queued = conn.output.queuedBytes;
    if (queued + bytes > this.maxOutboundBytes) {
      this.counters.slowReaderCloses++;
      this.log('warn', 'connection.slow_reader_closed', { connection: conn.id, queuedBytes: queued, limit: this.maxOutboundBytes });
      this.drop(conn);
      return;
    }
    if (this.batching) {
      conn.output.holdStaged();
      conn.heldFrames++;
      if (!conn.holding) {
        conn.holding = true;
        this.holding.push(conn);
      }
    } else if (conn.output.writeStaged() === FrameWriteKind.DIRECT) {
      this.counters.framesOutDirect++;
    }
    this.counters.framesOut++;
    this.counters.bytesOut += bytes;
  }

  // ---- timers and stop -------------------------------------------------------------------------

  /**
   * The interval timer only schedules the tick: timers run before the event loop's poll phase,
   * so a driver that stalled (GC, descheduled) past a lease lifetime would judge expiry before
   * reading the keepalives queued in its sockets meanwhile (KEEPALIVE-03: those arrived in
   * time). setImmediate runs after the poll phase has read them. Found by the soak
   * (test/transport/expiry-after-stall.test.ts). A poll phase can itself be long (1,000
   * connections' broadcasts): sockets that became readable during it are read only in the
   * next one, hence also the expiry horizon in onTick.
   */
  private onTimer(): void {
    if (this.tickPending) return;
    this.tickPending = true;
    setImmediate(this.onTick);
  }

  private readonly onTick = (): void => {
    this.tickPending = false;
    if (this.stopping !== null) return;
    this.batching = true;
    try {
      // Expire only what was due before the previous tick ended: every socket has been read
      // since (the poll phase in between), so no keepalive that arrived by then is unread.
      this.driver.tick(this.expiryHorizonNs);
      this.driver.updateTime();
      this.expiryHorizonNs = this.driver.nowNs;
    } catch (e) {
      this.log('error', 'driver.tick_failed', { message: (e as Error).message });
    } finally {
      this.sendBatch();
    }
    this.checkStopped();
  };

  private checkStopped(): void {
    if (this.stopping === null && this.driver.state === 'Stopped') void this.stop();
  }

  /** Graceful stop; idempotent. ShmDriverShutdown reaches every connection that reads it in time. */
  stop(): Promise<void> {
    if (this.stopping === null) this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    if (this.driver.state !== 'Stopped') this.driver.close();
    this.log('info', 'server.draining', { connections: this.connections.size });
    const deadline = setTimeout(() => {
      for (const c of this.connections.values()) this.drop(c);
    }, this.drainTimeoutMs);
    for (const c of this.connections.values()) c.output.end();
    await closed;
    clearTimeout(deadline);
    this.removeSocketFile();
    this.log('info', 'server.stopped', { counters: this.counters.snapshot() });
    this.resolveStopped();
  }

  private removeSocketFile(): void {
    try {
      if (lstatSync(this.socketPath).ino === this.socketIno) unlinkSync(this.socketPath);
    } catch {
      // Already gone (libuv unlinks a pipe it bound when the server closes).
    }
  }
}
