/**
 * DriverServer over real Unix sockets, in this process: unicast vs broadcast, leases dying with
 * their connection, slow readers, bad frames, and the socket-path rules (live vs stale socket,
 * symlinks, modes). Every wait is on an event or a frame, with a timeout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { Role, ShmLeaseRevokedDecoder, ShmPoolAnnounceDecoder, ShmAttachResponseDecoder, LeaseRevokeReason, ShutdownReason } from '../../src/sbe/index.js';
import { encodeStatusRequest } from '../../src/transport/admin-codec.js';
import { encodeShutdownRequest, requestStatus } from '../../src/transport/admin-client.js';
import { encodeFrame } from '../../src/transport/length-prefix-framing.js';
import { TransportError, TransportErrorCode } from '../../src/transport/transport-error.js';
import { connectUnix, type UnixControlConnection } from '../../src/transport/unix-socket-client.js';
import type { DriverServer } from '../../src/transport/unix-socket-server.js';
import { attachRequest, configFor, FrameLog, kind as kindOf, startServer, tempBase, withTimeout } from './socket-harness.js';

let base: { dir: string; cleanup: () => void };
const stopAfter: DriverServer[] = [];
const closeAfter: UnixControlConnection[] = [];

before(() => {
  base = tempBase();
});
after(() => base.cleanup());
afterEach(async () => {
  for (const c of closeAfter.splice(0)) c.close();
  await Promise.all(stopAfter.splice(0).map((s) => s.stop()));
});

let nsCounter = 0;
/** Each test gets its own namespace (its own socket and SHM dir) under the shared temp base. */
function config(overrides: Record<string, unknown> = {}) {
  return configFor(base.dir, { 'shm.namespace': `ns${++nsCounter}`, ...overrides });
}

async function start(overrides: Record<string, unknown> = {}, options = {}) {
  const h = await startServer(config(overrides), options);
  stopAfter.push(h.server);
  return h;
}

async function client(server: DriverServer): Promise<FrameLog> {
  const c = await connectUnix(server.channel);
  closeAfter.push(c);
  return new FrameLog(c);
}

function rawSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function closedSocket(s: Socket, ms = 3000): Promise<void> {
  // A paused socket never reads the peer's FIN, so it would see no 'close': read (and drop) on.
  s.resume();
  return withTimeout(new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))), ms, 'the socket to close');
}

describe('DriverServer over a Unix socket', () => {
  test('an attach response goes to the requester only; the announce to every connection', async () => {
    const { server } = await start();
    const a = await client(server);
    const b = await client(server);
    a.conn.send(attachRequest(1, Role.CONSUMER));
    const resp = new ShmAttachResponseDecoder().wrap(await a.next('901/2'));
    assert.equal(resp.code(), 0);
    await a.next('900/1');
    await b.next('900/1');
    // Unicast: only the requester sees the response (periodic announces may add more 900/1).
    assert.equal(a.kinds()[0], '901/2');
    assert.equal(a.kinds().filter((k) => k === '901/2').length, 1);
    assert.ok(!b.kinds().includes('901/2'));
  });

  test('a closed connection loses its leases at once: the others see ShmLeaseRevoked(EXPIRED), then the new epoch', async () => {
    const { server } = await start();
    const producer = await client(server);
    const consumer = await client(server);
    producer.conn.send(attachRequest(1, Role.PRODUCER));
    const firstEpoch = new ShmAttachResponseDecoder().wrap(await producer.next('901/2')).epoch();
    consumer.conn.send(attachRequest(2, Role.CONSUMER));
    await consumer.next('901/2');
    const seen = consumer.frames.length;
    producer.conn.close();
    const revoked = new ShmLeaseRevokedDecoder().wrap(await consumer.next('901/7'));
    assert.equal(revoked.clientId(), 1);
    assert.equal(revoked.reason(), LeaseRevokeReason.EXPIRED);
    // Wait for the epoch-bumped announce. Announces of the old epoch (the one that follows the
    // consumer's own attach, periodic ones) may arrive around the revoke at any time, so the
    // order is checked between the revoke and the first announce of a *higher* epoch (REVOKE-03).
    const announceDecoder = new ShmPoolAnnounceDecoder();
    const bumped = (f: Uint8Array): boolean =>
      kindOf(f) === '900/1' && (announceDecoder.wrap(f).epoch() ?? 0n) > (firstEpoch ?? 0n);
    const deadline = Date.now() + 5000;
    while (!consumer.frames.slice(seen).some(bumped)) {
      if (Date.now() > deadline) throw new Error('no announce of a higher epoch within 5 s');
      await consumer.next('900/1');
    }
    const after = consumer.frames.slice(seen);
    const iRevoked = after.findIndex((f) => kindOf(f) === '901/7');
    const iBumped = after.findIndex(bumped);
    assert.ok(iRevoked >= 0 && iRevoked < iBumped, `revoke (${iRevoked}) before the bumped announce (${iBumped})`);
    const status = await requestStatus(consumer.conn);
    assert.deepEqual(status.leases.map((l) => l.clientId), [2]);
  });

  test('with policies.revoke_on_disconnect=false a closed connection keeps its lease', async () => {
    const { server, waitFor } = await start({ 'policies.revoke_on_disconnect': 'false' });
    const a = await client(server);
    a.conn.send(attachRequest(1, Role.CONSUMER));
    await a.next('901/2');
    a.conn.close();
    await waitFor('connection.closed');
    assert.equal(server.driver.snapshot().leases.length, 1);
  });

  test('status answers with state, streams (URIs), leases and counters', async () => {
    const { server } = await start();
    const a = await client(server);
    a.conn.send(attachRequest(7, Role.CONSUMER));
    await a.next('901/2');
    const s = await requestStatus(a.conn);
    assert.equal(s.driver.state, 'Running');
    assert.equal(s.driver.channel, server.channel);
    assert.equal(s.streams.length, 1);
    const st = s.streams[0];
    assert.equal(st?.streamId, 10000);
    assert.equal(st?.consumers, 1);
    assert.match(st?.epoch ?? '', /^\d+$/);
    assert.match(st?.headerUri ?? '', /header\.ring$/);
    assert.equal(st?.poolUris.length, 1);
    assert.deepEqual(s.leases.map((l) => [l.clientId, l.role, l.streamId]), [[7, 'CONSUMER', 10000]]);
    assert.ok((s.leases[0]?.expiresInMs ?? 0) > 0);
    assert.equal(s.counters.driver['attachOk'], 1);
    assert.equal(s.counters.transport['statusRequests'], 1);
    assert.equal(s.totals.connections, 1);
  });

  test('a reader that stops reading is closed once its queue passes the bound; others are unaffected', async () => {
    const { server, waitFor } = await start({}, { maxOutboundBytes: 64 * 1024 });
    const other = await client(server);
    const slow = await rawSocket(server.socketPath);
    slow.pause();
    // Each request is answered with ~1 KiB; 4000 of them overflow the kernel buffers and the bound.
    const req = encodeFrame(encodeStatusRequest(1n));
    slow.write(Buffer.concat(Array.from({ length: 4000 }, () => req)));
    const ev = await waitFor('connection.slow_reader_closed', 5000);
    assert.equal(ev.fields['limit'], 64 * 1024);
    assert.equal(server.counters.slowReaderCloses, 1);
    const s = await requestStatus(other.conn);
    assert.equal(s.counters.transport['slowReaderCloses'], 1);
    slow.destroy();
  });

  test('bad frames (length 0, 10 MiB, garbage) close only their own connection and are counted', async () => {
    const { server } = await start();
    const good = await client(server);
    const bad = [Buffer.alloc(4), Buffer.from([0, 0, 0xa0, 0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')];
    for (const bytes of bad) {
      const s = await rawSocket(server.socketPath);
      s.on('error', () => undefined);
      s.resume();
      s.write(bytes);
      await closedSocket(s);
    }
    assert.equal(server.counters.protocolErrors, 3);
    good.conn.send(attachRequest(3, Role.CONSUMER));
    assert.equal(new ShmAttachResponseDecoder().wrap(await good.next('901/2')).code(), 0);
    assert.equal(good.conn.closed, false);
  });

  test('a well-framed message that is not valid SBE is counted by the driver and the connection stays', async () => {
    const { server } = await start();
    const c = await client(server);
    c.conn.send(new Uint8Array([1, 0, 1, 0, 0x85, 0x03, 1, 0, 9])); // attach header, 1-byte block
    c.conn.send(new Uint8Array(16)); // schema 0: unknown
    const s = await requestStatus(c.conn);
    assert.equal(s.counters.driver['decodeErrors'], 1);
    assert.equal(s.counters.driver['unknownMessages'], 1);
    assert.equal(c.conn.closed, false);
  });

  test('stop sends ShmDriverShutdown to every client, closes them and removes the socket file', async () => {
    const { server } = await start();
    const a = await client(server);
    const b = await client(server);
    await server.stop();
    await a.next('901/6');
    await b.next('901/6');
    const cause = await withTimeout(a.closed, 3000, 'client close');
    assert.ok(cause instanceof TransportError && cause.code === TransportErrorCode.CLOSED);
    assert.throws(() => lstatSync(server.socketPath), /ENOENT/);
  });

  test('a shutdown request with the token drains, then stops the server', async () => {
    const { server } = await start();
    const c = await client(server);
    c.conn.send(encodeShutdownRequest('tok', ShutdownReason.ADMIN, 'maintenance'));
    await c.next('901/6');
    await withTimeout(server.stopped, 3000, 'server stop');
    assert.equal(server.driver.state, 'Stopped');
  });
});

describe('control socket path', () => {
  test('socket file mode 0660 inside a 0770 directory', async () => {
    const { server } = await start();
    assert.equal(lstatSync(server.socketPath).mode & 0o777, 0o660);
    assert.equal(lstatSync(dirname(server.socketPath)).mode & 0o777, 0o770);
  });

  test('a second driver on a socket a live driver answers fails with a clear message', async () => {
    const cfg = config();
    const first = await startServer(cfg);
    stopAfter.push(first.server);
    await assert.rejects(startServer(cfg), (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.IN_USE && /already listening/.test(e.message));
    // The first one is untouched.
    const c = await client(first.server);
    assert.equal((await requestStatus(c.conn)).driver.state, 'Running');
  });

  test('a stale socket left by a crashed driver is replaced', async () => {
    const cfg = config();
    const path = cfg.driver.controlChannel.slice('unix:'.length);
    mkdirSync(dirname(path), { recursive: true, mode: 0o770 });
    // A real crash: a process bound to the path is SIGKILLed, leaving the socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 5000, 'the crashing child');
    assert.ok(lstatSync(path).isSocket());
    const h = await startServer(cfg);
    stopAfter.push(h.server);
    await h.waitFor('socket.stale_replaced');
    const c = await client(h.server);
    assert.equal((await requestStatus(c.conn)).driver.state, 'Running');
  });

  test('a symlink or a regular file at the socket path is refused', async () => {
    for (const plant of ['symlink', 'file'] as const) {
      const cfg = config();
      const path = cfg.driver.controlChannel.slice('unix:'.length);
      mkdirSync(dirname(path), { recursive: true, mode: 0o770 });
      if (plant === 'symlink') symlinkSync(join(base.dir, 'elsewhere'), path);
      else writeFileSync(path, 'not a socket');
      await assert.rejects(startServer(cfg), (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.UNSAFE_PATH && (plant === 'symlink' ? /symlink/ : /not a socket/).test(e.message));
    }
  });

  test('a world-writable socket directory is refused', async () => {
    const cfg = config();
    const dir = dirname(cfg.driver.controlChannel.slice('unix:'.length));
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    await assert.rejects(startServer(cfg), /world-writable/);
  });

  test('connecting where no driver listens is a clear CONNECT error', async () => {
    await assert.rejects(connectUnix(`unix:${join(base.dir, 'nobody.sock')}`), (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.CONNECT && /no driver is running/.test(e.message));
  });
});
