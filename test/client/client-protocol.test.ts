/**
 * The client against a scripted driver: hand-crafted frames test what a real driver never sends
 * (CLIENT-01..06 malformed OK responses, CLIENT-09 stale ids, REVOKE-05 unknown enums) and the
 * request timing (CLIENT-11 timeout and resend, CLIENT-08 correlation ids).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DriverClient, ManualScheduler, type ClientProtocolError, type Lease } from '../../src/client/index.js';
import { LeaseRevokeReason, ResponseCode, Role } from '../../src/sbe/index.js';
import { seededRandom, turn } from './client-env.js';
import { ScriptedConnection, attachResponse, revokedNotice } from './scripted-connection.js';

async function scripted(options: { clientId?: number } = {}) {
  const sched = new ManualScheduler(5_000);
  const conns: ScriptedConnection[] = [];
  const client = new DriverClient({
    connect: async () => {
      const c = new ScriptedConnection();
      conns.push(c);
      return c;
    },
    scheduler: sched,
    random: seededRandom(3),
    ...options,
  });
  const errors: ClientProtocolError[] = [];
  const attached: Lease[] = [];
  client.on('protocol-error', (e) => errors.push(e));
  client.on('attached', (l) => attached.push(l));
  const conn = (): ScriptedConnection => {
    const c = conns[conns.length - 1];
    if (c === undefined) throw new Error('not connected');
    return c;
  };
  return { sched, client, conns, conn, errors, attached };
}

const DIR = '/tmp/tp-test/tensorpool-u/default/10000/7';

/** A scripted client attached with the response `shape`. */
async function attachedClient(shape: Parameters<typeof attachResponse>[1] = {}) {
  const s = await scripted();
  void s.client.attach({ streamId: 10000, role: 'consumer' });
  await turn();
  s.conn().inject(attachResponse(s.conn().lastAttachCid(), shape));
  await turn();
  return s;
}

describe('driver client: validation of OK attach responses (fail closed)', () => {
  const cases: { name: string; rule: string; shape: Parameters<typeof attachResponse>[1] }[] = [
    { name: 'null leaseId', rule: 'CLIENT-01', shape: { leaseId: null } },
    { name: 'null epoch', rule: 'CLIENT-01', shape: { epoch: null } },
    { name: 'null headerNslots', rule: 'CLIENT-01', shape: { headerNslots: null } },
    { name: 'headerSlotBytes 255', rule: 'CLIENT-03', shape: { headerSlotBytes: 255 } },
    { name: 'no payload pools', rule: 'CLIENT-03', shape: { pools: [] } },
    { name: 'poolNslots ≠ headerNslots', rule: 'CLIENT-04', shape: { pools: [{ poolId: 1, nslots: 4, stride: 4096, uri: `shm:file?path=${DIR}/1.pool` }] } },
    { name: 'empty header URI', rule: 'CLIENT-02', shape: { headerUri: '' } },
    { name: 'blank pool URI', rule: 'CLIENT-02', shape: { pools: [{ poolId: 1, nslots: 8, stride: 4096, uri: '   ' }] } },
    { name: 'relative path in the header URI', rule: 'CLIENT-05', shape: { headerUri: 'shm:file?path=tmp/header.ring' } },
    { name: 'wrong scheme in a pool URI', rule: 'CLIENT-05', shape: { pools: [{ poolId: 1, nslots: 8, stride: 4096, uri: `file://${DIR}/1.pool` }] } },
  ];
  for (const c of cases) {
    test(`${c.rule}: ${c.name} → dropped, protocol-error, no lease, backoff and a new request`, async () => {
      const { client, conn, errors, attached, sched } = await scripted();
      const p = client.attach({ streamId: 10000, role: 'consumer' });
      await turn();
      const first = conn().lastAttachCid();
      conn().inject(attachResponse(first, c.shape));
      await turn();
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.rule, c.rule);
      assert.equal(errors[0]?.code, 'TP_ERR_CLIENT_PROTOCOL');
      assert.equal(client.lease, null);
      assert.equal(attached.length, 0);
      assert.equal(client.state, 'Backoff');
      assert.equal(client.counters.protocolErrors, 1);
      // A late duplicate of the dropped response is never accepted either.
      conn().inject(attachResponse(first));
      assert.equal(client.lease, null);
      // After the backoff a new request (new correlationId) goes out; a valid answer is adopted.
      sched.advance(20);
      await turn();
      const second = conn().lastAttachCid();
      assert.notEqual(second, first);
      conn().inject(attachResponse(second));
      await turn();
      const lease = await p;
      assert.equal(lease.leaseId, 41n);
      assert.equal(client.state, 'Attached');
    });
  }

  test('CLIENT-06: a truncated attach response with our correlationId fails the attempt closed', async () => {
    const { client, conn, errors } = await scripted();
    void client.attach({ streamId: 10000, role: 'consumer' });
    await turn();
    const full = attachResponse(conn().lastAttachCid());
    conn().inject(full.subarray(0, full.length - 5));
    await turn();
    assert.equal(errors.length, 1);
    assert.equal(client.state, 'Backoff');
  });

  test('CLIENT-19 (conforming): a response naming a lease but failing validation gets that lease detached', async () => {
    const { client, conn } = await scripted();
    void client.attach({ streamId: 10000, role: 'consumer' });
    await turn();
    conn().inject(attachResponse(conn().lastAttachCid(), { headerSlotBytes: 128, leaseId: 99n }));
    await turn();
    assert.deepEqual(conn().templates(), [1, 3]);
    assert.equal(client.counters.orphanLeasesDetached, 1);
  });
});

describe('driver client: correlation ids and timing', () => {
  test('CLIENT-09: a response for an unknown correlationId is ignored; a duplicate after the OK never overrides it', async () => {
    const { client, conn, attached } = await scripted();
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await turn();
    const cid = conn().lastAttachCid();
    conn().inject(attachResponse(cid + 1000n));
    conn().inject(attachResponse(cid ^ 0x5555n, {}, ResponseCode.REJECTED, 'driver draining'));
    assert.equal(client.state, 'Attaching');
    assert.equal(client.counters.staleResponses, 2);
    conn().inject(attachResponse(cid));
    await turn();
    assert.equal((await p).leaseId, 41n);
    conn().inject(attachResponse(cid, {}, ResponseCode.REJECTED, 'client_id already attached'));
    conn().inject(attachResponse(cid, { leaseId: 77n }));
    await turn();
    assert.equal(client.lease?.leaseId, 41n);
    assert.equal(attached.length, 1);
    assert.equal(client.counters.staleResponses, 4);
  });

  test('CLIENT-08 / IDENTITY-04: clientId is a random non-zero u32; correlation ids are (clientId << 32) | random low half, incremented', async () => {
    const { client, conn, sched } = await scripted();
    assert.ok(client.clientId > 0 && client.clientId <= 0xffffffff);
    void client.attach({ streamId: 10000, role: 'consumer' });
    await turn();
    sched.advance(5_000); // one resend each second, then the timeout and a new request
    sched.advance(50);
    await turn();
    const ids = conn().attaches().map((a) => BigInt.asUintN(64, a.correlationId));
    for (const id of ids) assert.equal(id >> 32n, BigInt(client.clientId));
    const distinct = [...new Set(ids)];
    assert.equal(distinct.length, 2);
    assert.equal(distinct[1], distinct[0]! + 1n);
    assert.notEqual(distinct[0]! & 0xffffffffn, 0n);
  });

  test('CLIENT-11: no response → the same request is resent every second, then after 5 s the client backs off and sends a new one', async () => {
    const { client, conn, sched } = await scripted();
    void client.attach({ streamId: 10000, role: 'consumer' });
    await turn();
    sched.advance(4_999);
    const sameCid = conn().attaches();
    assert.equal(sameCid.length, 5); // t = 0, 1, 2, 3, 4 s
    assert.equal(new Set(sameCid.map((a) => a.correlationId)).size, 1);
    sched.advance(1);
    assert.equal(client.state, 'Backoff');
    sched.advance(10);
    await turn();
    assert.equal(client.state, 'Attaching');
    assert.equal(new Set(conn().attaches().map((a) => a.correlationId)).size, 2);
  });

  test('CLIENT-18: the first attach sends publishMode null; automatic reattaches send REQUIRE_EXISTING', async () => {
    const { client, conn, sched } = await attachedClient();
    conn().inject(revokedNotice(41n, 10000, client.clientId, Role.CONSUMER, LeaseRevokeReason.EXPIRED));
    await turn();
    sched.advance(20);
    await turn();
    assert.deepEqual(conn().attaches().map((a) => a.publishMode), [null, 1]);
  });
});

describe('driver client: revoke notices', () => {

  test('REVOKE-05: a notice with an unknown reason or role is rejected (protocol-error), the lease is kept', async () => {
    const { client, conn, errors } = await attachedClient();
    conn().inject(revokedNotice(41n, 10000, client.clientId, Role.CONSUMER, 9));
    const bad = revokedNotice(41n, 10000, client.clientId, Role.CONSUMER, LeaseRevokeReason.EXPIRED);
    bad[8 + 24] = 7; // role
    conn().inject(bad);
    await turn();
    assert.deepEqual(errors.map((e) => e.rule), ['REVOKE-05', 'REVOKE-05']);
    assert.equal(client.state, 'Attached');
    assert.equal(client.lease?.leaseId, 41n);
  });

  test('REVOKE-06 case 3 / REVOKE-07: notices for other leases (other id, stream or role) are ignored', async () => {
    const { client, conn } = await attachedClient();
    conn().inject(revokedNotice(40n, 10000, 5, Role.CONSUMER, LeaseRevokeReason.EXPIRED));
    conn().inject(revokedNotice(41n, 10001, client.clientId, Role.CONSUMER, LeaseRevokeReason.EXPIRED));
    conn().inject(revokedNotice(41n, 10000, client.clientId, Role.PRODUCER, LeaseRevokeReason.EXPIRED));
    await turn();
    assert.equal(client.state, 'Attached');
    assert.equal(client.counters.revokesIgnored, 2); // the producer notice on our stream is case 2
  });

  test('REVOKE-04: a duplicate notice for our lease is handled once', async () => {
    const { client, conn } = await attachedClient();
    const lost: string[] = [];
    client.on('lease-lost', (_l, cause) => lost.push(cause.kind));
    const n = revokedNotice(41n, 10000, client.clientId, Role.CONSUMER, LeaseRevokeReason.REVOKED);
    conn().inject(n);
    conn().inject(n);
    await turn();
    assert.deepEqual(lost, ['revoked']);
    assert.equal(client.state, 'Backoff');
  });

  test('CLIENT-12: a keepalive that cannot be sent is fatal for the lease (lease-lost, reattach)', async () => {
    const { client, conn, sched } = await attachedClient();
    const lost: string[] = [];
    client.on('lease-lost', (_l, cause) => lost.push(cause.kind));
    const c = conn();
    c.send = () => {
      throw new Error('EPIPE');
    };
    sched.advance(1_000);
    await turn();
    assert.deepEqual(lost, ['keepalive-failed']);
    assert.equal(client.lease, null);
  });

  test('CLIENT-17: past the lease deadline (a stalled process) the lease is given up locally', async () => {
    // The driver granted until 5.5 s (0.5 s lifetime): keepalives are due every 250 ms (half the
    // lifetime), but the process stalls for 1 s, so the first one comes due after the deadline.
    const { client, conn, sched } = await attachedClient({ expiryNs: 5_500_000_000n });
    const lost: string[] = [];
    client.on('lease-lost', (_l, cause) => lost.push(cause.kind));
    sched.stall(1_000);
    sched.advance(0);
    await turn();
    assert.deepEqual(lost, ['keepalive-failed']);
    assert.equal(conn().templates().filter((t) => t === 5).length, 0);
  });

  test('CLIENT-17: a lease lifetime shorter than the configured keepalive interval is kept alive (keepalives every half lifetime)', async () => {
    // 1 s configured interval; the driver granted 0.4 s (fault-injection finding, issue 7).
    const { client, conn, sched } = await attachedClient({ expiryNs: 5_400_000_000n });
    const lost: string[] = [];
    client.on('lease-lost', (_l, cause) => lost.push(cause.kind));
    sched.advance(1_000);
    await turn();
    assert.deepEqual(lost, []);
    assert.equal(client.state, 'Attached');
    assert.equal(conn().templates().filter((t) => t === 5).length, 5); // at 0.2, 0.4, 0.6, 0.8, 1.0 s
  });

  test('CLIENT-17: a deadline already past on arrival (clocks not comparable) is not enforced; keepalives go on', async () => {
    const { client, conn, sched } = await attachedClient({ expiryNs: 1_000n });
    sched.advance(3_000);
    await turn();
    assert.equal(client.state, 'Attached');
    assert.equal(conn().templates().filter((t) => t === 5).length, 3);
  });
});
