/**
 * Issue 7, security (control-plane half), end to end against a `tensorpool driver` child process:
 * requests naming another client's lease, shutdown requests with missing or wrong tokens, and
 * huge var-data whose echo must stay within the 1024-byte errorMessage limit. The owner of the
 * lease is a real client process (fixtures/client-process: DriverClient with keepalives); the
 * intruder is a raw connection in this process.
 *
 * Rule ids: DETACH-02/03 and §3.2 (unknown lease), KEEPALIVE-07 / D9 (fixed: every field must
 * match), REVOKE-07, SHUTDOWN-01/02/03/07, ATTACH-07 and PROTOCOL.md P7 (errorMessage ≤ 1024),
 * docs/TRANSPORT.md §4 (a lease belongs to the connection that attached it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ResponseCode, ShmDriverShutdownDecoder } from '../../src/sbe/index.js';
import type { StatusDocument } from '../../src/transport/status-document.js';
import { requestStatus } from '../../src/transport/admin-client.js';
import { isRevoked, Observer, spawnClient, startDriverProcess, TOKEN, type ClientProcess, type RunningDriver } from '../system/system-harness.js';
import { tempBase, withTimeout } from '../transport/socket-harness.js';
import { attachVia, detachVia, keepaliveRequest, shutdownRequest, type LeaseRef } from './control-requests.js';

let base: { dir: string; cleanup: () => void };
const drivers: RunningDriver[] = [];
const observers: Observer[] = [];
const clients: ClientProcess[] = [];

before(() => {
  base = tempBase();
});
after(() => {
  for (const o of observers) o.close();
  for (const c of clients) c.kill();
  for (const d of drivers) d.child.kill('SIGKILL');
  base.cleanup();
});

async function driver(namespace: string, set: readonly string[] = []): Promise<RunningDriver> {
  const d = await startDriverProcess({ baseDir: base.dir, namespace, set });
  drivers.push(d);
  return d;
}

async function observer(channel: string): Promise<Observer> {
  const o = await Observer.connect(channel);
  observers.push(o);
  return o;
}

const counter = (s: StatusDocument, name: string): number => s.counters.driver[name] ?? 0;
const LOST = new Set(['revoked', 'lease-lost', 'disconnected', 'protocol-error', 'shutdown']);
const MAX_ERROR_MESSAGE = 1024;

let correlation = 5000n;
const nextCorrelation = (): bigint => ++correlation;

describe('security: leases and shutdown over the control socket (issue 7)', { timeout: 40_000 }, () => {
  let d: RunningDriver;
  let owner: ClientProcess;
  let lease: LeaseRef;
  let intruder: Observer;

  before(async () => {
    d = await driver('lease');
    owner = spawnClient({ channel: d.channel, role: 'producer', clientId: 701 });
    clients.push(owner);
    const attached = await owner.next('attached');
    lease = { leaseId: BigInt(attached['leaseId'] as string), streamId: 10000, clientId: 701, role: 'producer' };
    intruder = await observer(d.channel);
  });

  /** The owner still holds exactly its lease and never saw it end. */
  function assertOwnerUnaffected(s: StatusDocument): void {
    const held = s.leases.find((l) => l.clientId === 701);
    assert.ok(held !== undefined, 'the owner still holds a lease');
    assert.equal(BigInt(held.leaseId), lease.leaseId, 'the same lease (never revoked and reissued)');
    assert.deepEqual(owner.lines.filter((l) => LOST.has(l.event)), [], 'the owner process saw no lease loss');
    assert.deepEqual(intruder.seen.filter(isRevoked), [], 'no ShmLeaseRevoked was broadcast');
  }

  test('keepalive naming another client\'s lease with a wrong clientId, streamId or role, or an unknown leaseId: dropped and counted (keepalivesDropped), the owner unaffected (KEEPALIVE-07 / D9 fixed)', async () => {
    const s0 = await requestStatus(intruder.conn);
    const forged: LeaseRef[] = [
      { ...lease, clientId: 999 },
      { ...lease, streamId: 10001 },
      { ...lease, role: 'consumer' },
      { ...lease, leaseId: lease.leaseId + 1000n },
    ];
    for (const f of forged) intruder.conn.send(keepaliveRequest(f));
    // The status request follows the keepalives on the same connection: they were handled first.
    const s1 = await requestStatus(intruder.conn);
    assert.equal(counter(s1, 'keepalivesDropped') - counter(s0, 'keepalivesDropped'), forged.length);
    assertOwnerUnaffected(s1);
  });

  test('detach naming another client\'s lease with a wrong clientId, streamId or role: ShmDetachResponse REJECTED "unknown lease", counted (detachRejected), no revocation, the owner keeps its lease (DETACH-02/03, §3.2)', async () => {
    const s0 = await requestStatus(intruder.conn);
    const forged: LeaseRef[] = [{ ...lease, clientId: 999 }, { ...lease, streamId: 10001 }, { ...lease, role: 'consumer' }];
    for (const f of forged) {
      const r = await detachVia(intruder, f, nextCorrelation());
      assert.deepEqual([r.code, r.error], [ResponseCode.REJECTED, 'unknown lease']);
    }
    const s1 = await requestStatus(intruder.conn);
    assert.equal(counter(s1, 'detachRejected') - counter(s0, 'detachRejected'), forged.length);
    assert.equal(counter(s1, 'detachOk'), counter(s0, 'detachOk'));
    assertOwnerUnaffected(s1);
  });

  /** A consumer lease attached on a connection of its own; its every field is then known to the intruder (as `tensorpool status` would tell it). */
  async function leaseOfAnotherConnection(clientId: number): Promise<LeaseRef> {
    const holder = await observer(d.channel);
    const a = await attachVia(holder, { correlationId: nextCorrelation(), streamId: 10000, clientId, role: 'consumer' });
    assert.equal(a.code, ResponseCode.OK, a.error);
    return { leaseId: a.leaseId ?? 0n, streamId: 10000, clientId, role: 'consumer' };
  }

  test('detach naming every field of a lease held by another connection is refused (TRANSPORT.md §4: a lease belongs to the connection that attached it)', async () => {
    const r = await detachVia(intruder, await leaseOfAnotherConnection(702), nextCorrelation());
    assert.deepEqual([r.code, r.error], [ResponseCode.REJECTED, 'unknown lease'], 'another connection may not end the lease');
  });

  test('keepalive naming every field of a lease held by another connection is dropped (TRANSPORT.md §4)', async () => {
    const ref = await leaseOfAnotherConnection(703);
    const s0 = await requestStatus(intruder.conn);
    intruder.conn.send(keepaliveRequest(ref));
    const s1 = await requestStatus(intruder.conn);
    assert.equal(counter(s1, 'keepalives') - counter(s0, 'keepalives'), 0, 'not counted as a keepalive');
    assert.equal(counter(s1, 'keepalivesDropped') - counter(s0, 'keepalivesDropped'), 1);
  });

  describe('administrative shutdown', () => {
    let sd: RunningDriver;
    let admin: Observer;
    const HUGE = 60_000;

    before(async () => {
      sd = await driver('shut', ['policies.shutdown_timeout_ms=200']);
      admin = await observer(sd.channel);
    });

    test('ShmDriverShutdownRequest with no token, a wrong one, one of the wrong length (shorter, longer, 60 000 bytes) or the token plus a NUL: ignored without an answer, each counted, the driver keeps running and attaching; the token is never logged (SHUTDOWN-02/07)', async () => {
      const tokens = ['', 'x', 'T', `${TOKEN}${TOKEN}`, `${TOKEN}\u0000`, 'x'.repeat(HUGE)];
      for (const t of tokens) admin.conn.send(shutdownRequest(t, 'please'));
      const s = await requestStatus(admin.conn);
      assert.equal(counter(s, 'shutdownRequestsIgnored'), tokens.length);
      assert.equal(s.driver.state, 'Running');
      const r = await attachVia(admin, { correlationId: nextCorrelation(), streamId: 10000, clientId: 801, role: 'consumer' });
      assert.equal(r.code, ResponseCode.OK, 'attaches are still served');
      assert.deepEqual(admin.seen.filter((x) => x.kind === 'shutdown' || (x.kind === 'other' && x.schemaId === ShmDriverShutdownDecoder.SCHEMA_ID)), [], 'no shutdown notice and no driver answer of any kind');
      assert.ok(!sd.stderr().includes('x'.repeat(64)), 'the rejected token is not echoed in the log');
      assert.equal(sd.child.exitCode, null, 'still running');
    });

    test('the right token with a 60 000-byte errorMessage: drain, then ShmDriverShutdown carrying the first 1024 bytes on the wire; the driver exits 0 (SHUTDOWN-03, ATTACH-07, PROTOCOL P7)', async () => {
      const message = 'm'.repeat(HUGE);
      admin.conn.send(shutdownRequest(TOKEN, message));
      const notice = await admin.next((x) => x.kind === 'shutdown', 3000, 'ShmDriverShutdown');
      const frame = admin.frames[admin.seen.indexOf(notice)] as Uint8Array;
      const dec = new ShmDriverShutdownDecoder().wrap(frame);
      assert.equal(dec.errorMessageLength(), MAX_ERROR_MESSAGE);
      assert.equal(dec.errorMessageOffset() + dec.errorMessageLength(), frame.length, 'errorMessage is the last field: nothing else carries the text');
      assert.equal(dec.errorMessage(), message.slice(0, MAX_ERROR_MESSAGE));
      assert.deepEqual(await withTimeout(sd.exited, 5000, 'driver exit'), { code: 0, signal: null });
    });
  });

  test('every errorMessage any connection of this file received is ≤ 1024 bytes (ATTACH-07)', () => {
    const messages = observers.flatMap((o) => o.seen.flatMap((x) => ('error' in x ? [x.error] : [])));
    assert.ok(messages.length > 0);
    for (const m of messages) assert.ok(Buffer.byteLength(m) <= MAX_ERROR_MESSAGE, `${m.length} bytes`);
  });
});
