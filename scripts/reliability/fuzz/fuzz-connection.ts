/**
 * One fuzzing connection: a raw Unix stream socket (raw, because the fuzzer writes bytes that no
 * framing encoder would produce) that reads everything the driver sends, so it is never closed
 * as a slow reader (TRANSPORT.md §4), and tracks the leases the driver grants it so that its
 * valid keepalives and detaches name them.
 *
 * A connection must only ever be closed by the driver after a framing breaker (TRANSPORT.md §2:
 * "other connections are not affected", and a well-framed but invalid message never closes its
 * connection); any other close is recorded as a violation by the caller via `unexpectedClose`.
 */
import { createConnection, type Socket } from 'node:net';
import { MessageHeaderDecoder, ResponseCode, ShmAttachRequestDecoder, ShmAttachResponseDecoder, ShmLeaseRevokedDecoder } from '../../../src/sbe/index.js';
import { LengthPrefixDecoder } from '../../../src/transport/length-prefix-framing.js';
import type { OwnLease } from './seed-frames.js';

/** Remembered attach requests awaiting an answer; older ones are forgotten past this many. */
const MAX_PENDING = 1024;

export class FuzzConnection {
  readonly leases: OwnLease[] = [];
  /** Frames received from the driver. */
  framesIn = 0;
  attachOk = 0;
  /** Set once a framing breaker was written: the close that follows is expected. */
  breakerSent = false;
  /** Why the connection closed, if the driver closed it before a breaker was sent. */
  unexpectedClose: string | null = null;
  readonly closed: Promise<void>;
  private isClosed = false;
  private readonly pending = new Map<bigint, { clientId: number; role: number }>();
  private readonly decoder = new LengthPrefixDecoder();
  private readonly header = new MessageHeaderDecoder();
  private readonly attachReq = new ShmAttachRequestDecoder();
  private readonly attachRes = new ShmAttachResponseDecoder();
  private readonly revoked = new ShmLeaseRevokedDecoder();

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        if (!this.breakerSent && this.unexpectedClose === null) this.unexpectedClose = 'the driver closed a connection whose framing was valid';
        this.leases.length = 0;
        resolve();
      });
    });
    // Writes after the driver closed us (it does so at a bad prefix) fail with EPIPE/ECONNRESET.
    socket.on('error', (e) => {
      if (!this.breakerSent && this.unexpectedClose === null) this.unexpectedClose = `socket error: ${e.message}`;
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk, (b, o, n) => this.onFrame(b.subarray(o, o + n)));
      } catch (e) {
        this.unexpectedClose = `the driver sent a bad frame: ${(e as Error).message}`;
        socket.destroy();
      }
    });
  }

  static open(path: string, timeoutMs = 5000): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${path} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const failed = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', failed);
        resolve(new FuzzConnection(socket));
      });
    });
  }

  get open(): boolean {
    return !this.isClosed;
  }

  /** An attach-shaped body is being sent: if it decodes, its answer can be matched to it. */
  noteAttach(body: Uint8Array): void {
    try {
      const q = this.attachReq.wrap(body);
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as bigint);
      this.pending.set(q.correlationId(), { clientId: q.clientId(), role: q.role() });
    } catch {
      // Not a decodable attach: the driver drops it too.
    }
  }

  forget(lease: OwnLease): void {
    const i = this.leases.indexOf(lease);
    if (i >= 0) this.leases.splice(i, 1);
  }

  /** Writes `bytes`, in `cuts.length + 1` writes when cut; resolves when the socket can take more. */
  async write(bytes: Uint8Array, cuts: readonly number[] = []): Promise<void> {
    let from = 0;
    for (const at of [...cuts, bytes.length]) {
      if (this.isClosed) return;
      const ok = this.socket.write(bytes.subarray(from, at));
      from = at;
      // A turn of the event loop between the pieces, so they reach the driver as separate reads.
      if (ok) await new Promise<void>((resolve) => setImmediate(resolve));
      else await Promise.race([new Promise<void>((resolve) => this.socket.once('drain', resolve)), this.closed]);
    }
  }

  /** Ends the stream (after a breaker) and waits for the close, destroying it after `ms`. */
  async finish(ms = 5000): Promise<void> {
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), ms);
    await this.closed;
    clearTimeout(timer);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(f: Uint8Array): void {
    this.framesIn++;
    this.header.wrap(f);
    const schema = this.header.schemaId();
    const template = this.header.templateId();
    if (schema === ShmAttachResponseDecoder.SCHEMA_ID && template === ShmAttachResponseDecoder.TEMPLATE_ID) {
      const r = this.attachRes.wrap(f);
      const req = this.pending.get(r.correlationId());
      if (req === undefined) return;
      this.pending.delete(r.correlationId());
      const leaseId = r.leaseId();
      const streamId = r.streamId();
      if (r.code() !== ResponseCode.OK || leaseId === null || streamId === null) return;
      this.attachOk++;
      this.leases.push({ leaseId, streamId, clientId: req.clientId, role: req.role });
    } else if (schema === ShmLeaseRevokedDecoder.SCHEMA_ID && template === ShmLeaseRevokedDecoder.TEMPLATE_ID) {
      const leaseId = this.revoked.wrap(f).leaseId();
      const i = this.leases.findIndex((l) => l.leaseId === leaseId);
      if (i >= 0) this.leases.splice(i, 1);
    }
  }
}
