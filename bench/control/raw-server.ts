/**
 * The control bench's baseline: a child process with a bare Unix-socket server that does only
 * what no driver can avoid — split the byte stream into length-prefixed frames and read each
 * frame's 8-byte SBE header and a keepalive's fields with DataView — and nothing a driver does
 * (no codec checks, no lease lookup, no state machine, no counters but one).
 *
 *   ShmLeaseKeepalive (901/5)    parsed and counted
 *   ShmAttachRequest (901/1)     answered at once with a fixed REPLY_BYTES-byte frame carrying the
 *                                request's correlationId (ping-pong of the driver's sizes)
 *   admin StatusRequest (0x7470/1) answered with the count: header, correlationId i64, count u64
 *
 * Usage: node raw-server.js <socket path>. Prints `raw-server ready` once listening; exits when
 * stdin ends (its parent is gone) or on SIGTERM.
 */
import { unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

/** The size of the driver's ShmAttachResponse for the bench profile (one pool, two URIs). */
export const REPLY_BYTES = 235;
export const COUNT_REPLY_BYTES = 8 + 16;
const MAX_FRAME = 64 * 1024;

function serve(socket: Socket, state: { count: number; checksum: number }): void {
  // A message split across reads is assembled here; whole ones are read in place.
  let held = Buffer.alloc(0);
  const reply = Buffer.alloc(4 + REPLY_BYTES);
  reply.writeUInt32LE(REPLY_BYTES, 0);
  reply.writeUInt16LE(54, 4); // a ShmAttachResponse header: blockLength 54, template 2, schema 901
  reply.writeUInt16LE(2, 6);
  reply.writeUInt16LE(901, 8);
  reply.writeUInt16LE(1, 10);
  socket.on('data', (chunk: Buffer) => {
    let buf = chunk;
    if (held.length > 0) {
      buf = Buffer.concat([held, chunk]);
      held = Buffer.alloc(0);
    }
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (buf.length - pos >= 4) {
      const n = v.getUint32(pos, true);
      if (n < 8 || n > MAX_FRAME) {
        socket.destroy();
        return;
      }
      if (buf.length - pos - 4 < n) break;
      const m = pos + 4;
      const template = v.getUint16(m + 2, true);
      const schema = v.getUint16(m + 4, true);
      if (schema === 901 && template === 5 && n >= 33) {
        // leaseId (u64 as two u32: no bigint), streamId, clientId, role, clientTimestampNs.
        state.checksum =
          (state.checksum + v.getUint32(m + 8, true) + v.getUint32(m + 12, true) + v.getUint32(m + 16, true) + v.getUint32(m + 20, true) + v.getUint8(m + 24) + v.getUint32(m + 25, true) + v.getUint32(m + 29, true)) | 0;
        state.count++;
      } else if (schema === 901 && template === 1 && n >= 16) {
        const out = Buffer.from(reply); // one write per reply, as the driver does
        out.set(buf.subarray(m + 8, m + 16), 4 + 8);
        socket.write(out);
      } else if (schema === 0x7470 && template === 1 && n >= 16) {
        const out = Buffer.alloc(4 + COUNT_REPLY_BYTES);
        out.writeUInt32LE(COUNT_REPLY_BYTES, 0);
        out.writeUInt16LE(16, 4);
        out.writeUInt16LE(2, 6);
        out.writeUInt16LE(0x7470, 8);
        out.writeUInt16LE(1, 10);
        out.set(buf.subarray(m + 8, m + 16), 12);
        out.writeDoubleLE(state.count, 20);
        socket.write(out);
      }
      pos = m + n;
    }
    if (pos < buf.length) held = Buffer.from(buf.subarray(pos));
  });
  socket.on('error', () => undefined);
}

function main(path: string): void {
  const state = { count: 0, checksum: 0 };
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
  const server = createServer((s) => serve(s, state));
  server.listen(path, () => process.stdout.write('raw-server ready\n'));
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

// Only as a process of its own: the bench imports the sizes above from this module.
const entry = process.argv[1];
const path = process.argv[2];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href && path !== undefined) main(path);
