/**
 * Issue 5's multi-process tests: the driver is a `tensorpool driver` child process, every client a
 * `fixtures/client-process.js` child process (a DriverClient over connectUnix, real timers), all
 * on a real Unix socket in a private temp dir. Observer connections in this process decode the
 * broadcasts each connection receives. Every wait is for a line, a frame or an exit, with a
 * timeout; nothing sleeps to synchronise.
 *
 * Rule ids: ATTACH-17, KEEPALIVE-05/06, DETACH-06, REVOKE-01/02/03, EPOCH-04, PRODUCER-01,
 * SHUTDOWN-03/05, CLIENT-14; transport: docs/TRANSPORT.md §2 (framing errors close only the
 * offending connection) and §4 (a lease belongs to its connection).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LeaseRevokeReason, Role, ShutdownReason } from '../../src/sbe/index.js';
import { requestStatus } from '../../src/transport/admin-client.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { run } from '../cli/cli-harness.js';
import { tempBase, withTimeout } from '../transport/socket-harness.js';
import {
  epochOf,
  isAnnounce,
  isRevoked,
  Observer,
  spawnClient,
  startDriverProcess,
  TOKEN,
  type ClientLine,
  type ClientProcess,
  type RunningDriver,
} from './system-harness.js';

let base: { dir: string; cleanup: () => void };
const drivers: RunningDriver[] = [];
const clients: ClientProcess[] = [];
const observers: Observer[] = [];
const sockets: Socket[] = [];
let ns = 0;

before(() => {
  base = tempBase();
});
after(() => {
  for (const o of observers) o.close();
  for (const s of sockets) s.destroy();
  for (const c of clients) c.kill();
  for (const d of drivers) d.child.kill('SIGKILL');
  base.cleanup();
});

async function driver(namespace = `sys${++ns}`, set: readonly string[] = []): Promise<RunningDriver & { namespace: string }> {
  const d = await startDriverProcess({ baseDir: base.dir, namespace, set });
  drivers.push(d);
  return { ...d, namespace };
}

function client(channel: string, role: 'producer' | 'consumer', clientId: number): ClientProcess {
  const c = spawnClient({ channel, role, clientId });
  clients.push(c);
  return c;
}

async function observer(channel: string): Promise<Observer> {
  const o = await Observer.connect(channel);
  observers.push(o);
  return o;
}

/** Index in `c.lines` of the first line passing `test`, or -1. */
function indexOf(c: ClientProcess, test: (l: ClientLine) => boolean): number {
  return c.lines.findIndex(test);
}

const LOST_LEASE_EVENTS = new Set(['revoked', 'lease-lost', 'disconnected', 'protocol-error', 'shutdown']);

describe('driver and clients as separate processes', { timeout: 60_000 }, () => {
  test('attach, keepalive and detach: the lease outlives many lifetimes on keepalives alone, and a detach is revoked as DETACHED (KEEPALIVE-06, DETACH-06)', { timeout: 10_000 }, async () => {
    const d = await driver();
    const o = await observer(d.channel);
    const c = client(d.channel, 'consumer', 101);
    const attached = await c.next('attached');
    assert.equal(attached['clientId'], 101);
    assert.equal(attached['role'], 'consumer');
    // ATTACH-17: the announce for the stream follows the response on the client's connection.
    const first = await c.next((l) => l.event === 'raw-announce' && l['streamId'] === 10000, 3000, 'the post-attach announce');
    assert.equal(epochOf(first), epochOf(attached));

    // The lease lives 1 s (100 ms × 10). Eight periodic announces (200 ms apart) span 1.6 s:
    // only keepalives can have kept it alive meanwhile.
    for (let i = 0; i < 8; i++) await o.next(isAnnounce, 2000, `periodic announce ${i + 1}`);
    assert.equal(o.seen.filter(isRevoked).length, 0, 'no lease was revoked');
    const s = await requestStatus(o.conn);
    const lease = s.leases.find((l) => l.clientId === 101);
    assert.ok(lease !== undefined, 'the lease is still held');
    assert.equal(String(lease.leaseId), attached['leaseId']);
    assert.ok((s.counters.driver['keepalives'] ?? 0) >= 8, `keepalives=${s.counters.driver['keepalives']}`);
    assert.ok(lease.expiresInMs > 0);
    assert.deepEqual(c.lines.filter((l) => LOST_LEASE_EVENTS.has(l.event)), []);

    c.send('detach');
    await c.next('detach-done');
    const revoked = await o.next(isRevoked, 3000, 'ShmLeaseRevoked(DETACHED)');
    assert.deepEqual(revoked, { kind: 'revoked', leaseId: BigInt(attached['leaseId'] as string), streamId: 10000, clientId: 101, role: Role.CONSUMER, reason: LeaseRevokeReason.DETACHED });
    assert.equal((await requestStatus(o.conn)).leases.length, 0);
    c.send('exit');
    assert.deepEqual(await withTimeout(c.exited, 3000, 'client exit'), { code: 0, signal: null });
  });

  test('PRODUCER-01: a second producer process is REJECTED "producer already attached"; the first keeps its lease', { timeout: 10_000 }, async () => {
    const d = await driver();
    const p1 = client(d.channel, 'producer', 201);
    const a1 = await p1.next('attached');
    const p2 = client(d.channel, 'producer', 202);
    const rejected = await p2.next('attach-rejected');
    assert.equal(rejected['code'], 'REJECTED');
    assert.equal(rejected['message'], 'producer already attached');
    assert.deepEqual(await withTimeout(p2.exited, 3000, 'second producer exit'), { code: 2, signal: null });

    const o = await observer(d.channel);
    const s = await requestStatus(o.conn);
    assert.deepEqual(s.leases.map((l) => [l.clientId, l.role, String(l.leaseId)]), [[201, 'PRODUCER', a1['leaseId']]]);
    assert.equal(s.streams.find((st) => st.streamId === 10000)?.producerClientId, 201);
    assert.deepEqual(p1.lines.filter((l) => LOST_LEASE_EVENTS.has(l.event)), []);
  });

  test('kill -9 of a producer process: every consumer connection receives ShmLeaseRevoked, then an announce with a higher epoch (REVOKE-01/02/03, TRANSPORT §4)', { timeout: 10_000 }, async () => {
    const d = await driver();
    const p = client(d.channel, 'producer', 301);
    const pAttached = await p.next('attached');
    const epoch = epochOf(pAttached);
    const consumers = [client(d.channel, 'consumer', 302), client(d.channel, 'consumer', 303)];
    for (const c of consumers) assert.equal(epochOf(await c.next('attached')), epoch);
    const o = await observer(d.channel);

    p.kill('SIGKILL');
    assert.equal((await withTimeout(p.exited, 3000, 'producer exit')).signal, 'SIGKILL');

    const isProducerRevoke = (l: ClientLine): boolean => l.event === 'raw-revoked' && l['clientId'] === 301;
    const isHigherAnnounce = (l: ClientLine): boolean => l.event === 'raw-announce' && l['streamId'] === 10000 && epochOf(l) > epoch;
    for (const c of consumers) {
      const r = await c.next(isProducerRevoke, 3000, 'the producer revoke');
      assert.equal(r['leaseId'], pAttached['leaseId']);
      assert.equal(r['role'], Role.PRODUCER);
      // The kernel closed the dead process's socket: the driver expires its lease at once.
      assert.equal(r['reason'], LeaseRevokeReason.EXPIRED);
      const a = await c.next(isHigherAnnounce, 3000, 'the epoch-bumped announce');
      // REVOKE-03: nothing of the new epoch reached this connection before the revocation.
      assert.ok(indexOf(c, isProducerRevoke) < indexOf(c, isHigherAnnounce), 'revoke before the higher-epoch announce');
      // The client acted on both: it waited for the new epoch (REVOKE-06 case 2), then remapped.
      const changed = await c.next((l) => l.event === 'epoch-changed' && epochOf(l) === epochOf(a), 3000, 'epoch-changed');
      assert.equal(changed['previousEpoch'], String(epoch));
      assert.ok(indexOf(c, (l) => l.event === 'producer-revoked') < indexOf(c, (l) => l.event === 'epoch-changed'));
      // Consumers keep their own leases.
      assert.deepEqual(c.lines.filter((l) => LOST_LEASE_EVENTS.has(l.event)), []);
    }
    // And a connection holding no lease sees the same order.
    const rev = await o.next((x) => isRevoked(x) && x.clientId === 301, 3000, 'the producer revoke');
    const ann = await o.next((x) => isAnnounce(x) && x.epoch > epoch, 3000, 'the epoch-bumped announce');
    assert.ok(o.seen.indexOf(rev) < o.seen.indexOf(ann));
    assert.equal(o.seen.filter((x) => isAnnounce(x) && x.epoch > epoch).indexOf(ann), 0, 'the first higher-epoch announce came after the revoke');
  });

  test('driver killed and restarted: clients reattach by themselves and the new epochs are higher (EPOCH-04, SHUTDOWN-06)', { timeout: 12_000 }, async () => {
    const namespace = `sys${++ns}`;
    const d1 = await driver(namespace);
    const p = client(d1.channel, 'producer', 401);
    const before1 = epochOf(await p.next('attached'));
    const c = client(d1.channel, 'consumer', 402);
    const before2 = epochOf(await c.next('attached'));

    d1.child.kill('SIGKILL');
    await withTimeout(d1.exited, 3000, 'driver exit');
    for (const x of [p, c]) {
      const lost = await x.next('lease-lost', 3000, 'lease-lost after the driver died');
      assert.equal(lost['cause'], 'disconnected');
    }

    // Same base dir and namespace: the stale socket is replaced and the on-disk epoch floor applies.
    const d2 = await driver(namespace);
    assert.equal(d2.channel, d1.channel);
    const after1 = await p.next('attached', 5000, 'the producer reattach');
    const after2 = await c.next('attached', 5000, 'the consumer reattach');
    assert.ok(epochOf(after1) > before1, `producer epoch ${epochOf(after1)} > ${before1}`);
    assert.ok(epochOf(after2) > before2, `consumer epoch ${epochOf(after2)} > ${before2}`);
    const s = await requestStatus((await observer(d2.channel)).conn);
    assert.deepEqual(s.leases.map((l) => l.clientId).sort(), [401, 402]);
    assert.ok(BigInt(s.streams.find((st) => st.streamId === 10000)?.epoch ?? '0') > before1);
  });

  test('shutdown with the token: drain, then ShmDriverShutdown; clients back off, then reattach to the next driver (SHUTDOWN-03/05, CLIENT-14)', { timeout: 12_000 }, async () => {
    const namespace = `sys${++ns}`;
    const d1 = await driver(namespace, ['policies.shutdown_timeout_ms=300']);
    const p = client(d1.channel, 'producer', 501);
    const c = client(d1.channel, 'consumer', 502);
    const epochs = [epochOf(await p.next('attached')), epochOf(await c.next('attached'))];
    const o = await observer(d1.channel);

    const res = await run(['shutdown', '--token', TOKEN, '--reason', 'admin', '--message', 'maintenance', '--control', d1.channel]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /draining/);

    // SHUTDOWN-03: the drain announces every stream, then the notice follows the timeout.
    const notice = await o.next((x) => x.kind === 'shutdown', 3000, 'ShmDriverShutdown');
    assert.deepEqual(notice, { kind: 'shutdown', reason: ShutdownReason.ADMIN });
    assert.ok(o.seen.slice(0, o.seen.indexOf(notice)).some(isAnnounce), 'an announce during the drain, before the notice');
    assert.deepEqual(await withTimeout(d1.exited, 5000, 'driver exit'), { code: 0, signal: null });

    for (const x of [p, c]) {
      const sd = await x.next('shutdown', 3000, 'the shutdown event');
      assert.deepEqual([sd['reason'], sd['message']], [ShutdownReason.ADMIN, 'maintenance']);
      const lost = x.lines.find((l) => l.event === 'lease-lost');
      assert.equal(lost?.['cause'], 'shutdown');
      // SHUTDOWN-05: invalidate at once and back off (no attach is possible until a driver is back).
      const state = await x.next((l) => l.event === 'state' && l['previous'] === 'Attached', 3000, 'leaving Attached');
      assert.equal(state['state'], 'Backoff');
      assert.equal(x.events('attached').length, 1, 'no lease while no driver runs');
    }

    const d2 = await driver(namespace);
    const again = [await p.next('attached', 5000, 'the producer reattach'), await c.next('attached', 5000, 'the consumer reattach')];
    again.forEach((l, i) => assert.ok(epochOf(l) > (epochs[i] as bigint), `epoch ${epochOf(l)} > ${epochs[i]}`));
    assert.equal(d2.channel, d1.channel);
  });

  test('bad frames (length 0, 10 MiB, garbage) close only their own connections; a well-behaved client keeps its lease (TRANSPORT §2)', { timeout: 10_000 }, async () => {
    const d = await driver();
    const c = client(d.channel, 'consumer', 601);
    const attached = await c.next('attached');
    const o = await observer(d.channel);
    const path = d.channel.slice('unix:'.length);

    const raw = async (bytes: Buffer): Promise<void> => {
      const s = createConnection(path);
      sockets.push(s);
      const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
      s.on('error', () => undefined); // the driver may reset it mid-write; the close is what counts
      // Flowing, so that a clean FIN is read and ends the socket: a paused socket that is never
      // read sees no 'end' and no 'close' (the rare timeout of this test before).
      s.resume();
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      s.write(bytes);
      await withTimeout(closed, 3000, `the driver to close a connection that sent ${bytes.length} bad bytes`).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; driver log: ${d.stderr().trim().split('\n').slice(-5).join(' | ')}`);
      });
    };
    const tenMiB = Buffer.alloc(4 + 64 * 1024);
    tenMiB.writeUInt32LE(10 * 1024 * 1024, 0);
    const garbage = randomBytes(1024);
    garbage[3] = 0xff; // the first u32 — the "length" — is then far above 64 KiB
    await raw(Buffer.from([0, 0, 0, 0]));
    await raw(tenMiB);
    await raw(garbage);

    // Well-framed garbage is not a framing error: dropped and counted, the connection stays.
    const framed = await connectUnix(d.channel);
    const junk = randomBytes(40);
    junk.writeUInt16LE(0xeeee, 4); // an unknown schema id: neither driver, wire nor admin
    framed.send(junk);
    const s = await requestStatus(framed);
    framed.close();
    assert.equal(s.counters.transport['protocolErrors'], 3);
    assert.ok((s.counters.driver['unknownMessages'] ?? 0) + (s.counters.driver['decodeErrors'] ?? 0) >= 1);
    const lease = s.leases.find((l) => l.clientId === 601);
    assert.equal(String(lease?.leaseId), attached['leaseId']);

    // The client goes on being served: more announces, and still no loss of any kind.
    const seen = c.events('raw-announce').length;
    await c.next((l) => l.event === 'raw-announce' && c.events('raw-announce').indexOf(l) >= seen + 2, 3000, 'two more announces');
    assert.deepEqual(c.lines.filter((l) => LOST_LEASE_EVENTS.has(l.event) || l.event === 'raw-revoked'), []);
    assert.equal(o.seen.filter(isRevoked).length, 0, 'no spurious revoke');
    assert.equal((await requestStatus(o.conn)).leases.find((l) => l.clientId === 601)?.leaseId, lease?.leaseId);
  });
});
