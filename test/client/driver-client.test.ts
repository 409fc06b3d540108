/**
 * The driver client against an embedded driver over the in-process transport, with time moved
 * by a manual scheduler that is also the driver's clock: attach, keepalive, reject, identity
 * collisions, revocation, shutdown, connection loss, detach and close, each named by its rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachCancelledError,
  AttachRejectedError,
  ClientBusyError,
  ClientClosedError,
  type ClientState,
  type Lease,
  type LeaseLossCause,
} from '../../src/client/index.js';
import { TensorpoolError } from '../../src/errors.js';
import { HugepagesPolicy, Role, ShmAttachRequestEncoder, ShmDetachRequestEncoder } from '../../src/sbe/index.js';
import { testConfig } from '../driver/harness.js';
import type { ControlConnection } from '../../src/transport/control-connection.js';
import { Env, turn } from './client-env.js';

const leaseOf = (c: { readonly lease: Lease | null }): Lease | null => c.lease;

function record(client: ReturnType<Env['client']>) {
  const log = {
    attached: [] as Lease[],
    lost: [] as LeaseLossCause[],
    revoked: [] as string[],
    shutdown: [] as number[],
    disconnected: 0,
    attachFailed: [] as string[],
    states: [] as ClientState[],
  };
  client.on('attached', (l) => log.attached.push(l));
  client.on('lease-lost', (_l, c) => log.lost.push(c));
  client.on('revoked', (_l, r) => log.revoked.push(r));
  client.on('shutdown', (r) => log.shutdown.push(r));
  client.on('disconnected', () => log.disconnected++);
  client.on('attach-failed', (e) => log.attachFailed.push(e.errorMessage));
  client.on('state', (s) => log.states.push(s));
  return log;
}

/** Attaches through `env` and returns the lease (the promise settles while frames are pumped). */
async function attached(env: Env, client: ReturnType<Env['client']>, opts: Parameters<ReturnType<Env['client']>['attach']>[0]): Promise<Lease> {
  const p = client.attach(opts);
  await env.settle();
  return p;
}

/** A fresh driver and a client attached to stream 10000, with its events recorded. */
async function attachedSetup(role: 'producer' | 'consumer' = 'consumer') {
  const env = new Env();
  const client = env.client();
  const log = record(client);
  const lease = await attached(env, client, { streamId: 10000, role });
  return { env, client, log, lease };
}

/** Another process's raw attach on its own connection (to occupy a clientId). */
function foreignAttach(env: Env, clientId: number): void {
  const b = new Uint8Array(35);
  new ShmAttachRequestEncoder().wrapAndApplyHeader(b).correlationId(1n).streamId(10000).clientId(clientId).role(Role.CONSUMER)
    .expectedLayoutVersion(0).publishMode(null).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(null).finish();
  env.transport.connect().send(b);
}

describe('driver client: attach and keepalive', () => {
  test('CLIENT-12 / KEEPALIVE-04: an attached client keeps its lease alive well past 3 × the keepalive interval', async () => {
    const { env, client, log, lease } = await attachedSetup();
    assert.equal(client.announces.isTracked(10000), true);
    assert.equal(lease.streamId, 10000);
    assert.equal(lease.role, 'consumer');
    assert.equal(lease.clientId, client.clientId);
    assert.equal(lease.layoutVersion, 1);
    assert.equal(lease.header.slotBytes, 256);
    assert.equal(lease.header.nslots, 8);
    assert.deepEqual(lease.pools.map((p) => [p.poolId, p.nslots, p.strideBytes]), [[1, 8, 4096], [2, 8, 65536]]);
    assert.match(lease.header.path, /\/10000\/\d+\/header\.ring$/);
    assert.equal(lease.epoch, env.driver.snapshot().streams[0]?.epoch);
    assert.equal(typeof lease.nodeId, 'number');
    assert.equal(lease.expiryNs, 8_000_000_000n); // driver now (5 s) + 3 × 1 s (KEEPALIVE-06)
    await env.advance(10_000);
    assert.equal(client.state, 'Attached');
    assert.equal(client.lease, lease);
    assert.equal(env.driver.snapshot().leases.length, 1);
    assert.ok(client.counters.keepalivesSent >= 9, `keepalives sent: ${client.counters.keepalivesSent}`);
    assert.equal(log.attached.length, 1);
    assert.deepEqual(log.states, ['Connecting', 'Attaching', 'Attached']);
  });

  test('CLIENT-16 / STREAMID-08: the client adopts the driver-allocated stream id, and reattaches to it', async () => {
    const env = new Env();
    const client = env.client();
    const lease = await attached(env, client, { streamId: 555, role: 'producer', publishMode: 'existing-or-create' });
    assert.equal(lease.streamId, 20000);
    // Kill the lease; the consumer holding the stream keeps it alive for the reattach.
    const consumer = env.client({}, 99);
    await attached(env, consumer, { streamId: 20000, role: 'consumer' });
    const detach = new Uint8Array(33);
    new ShmDetachRequestEncoder().wrapAndApplyHeader(detach).correlationId(5n).leaseId(lease.leaseId).streamId(20000).clientId(lease.clientId).role(Role.PRODUCER).finish();
    // On the producer's own connection (the first): only the owning connection may detach (TRANSPORT.md §4).
    (env.connections[0] as ControlConnection).send(detach);
    await env.advance(100);
    assert.equal(client.lease?.streamId, 20000);
    assert.notEqual(client.lease?.leaseId, lease.leaseId);
  });

  test('ATTACH-06 / CODE-01: a refused first attach rejects with AttachRejectedError carrying the code name and the diagnostic', async () => {
    const env = new Env();
    const client = env.client();
    const outcome = client.attach({ streamId: 4242, role: 'consumer' }).then(() => null, (e: unknown) => e);
    await env.settle();
    const err = await outcome;
    assert.ok(err instanceof AttachRejectedError);
    assert.ok(err instanceof TensorpoolError);
    assert.equal(err.code, 'TP_ERR_ATTACH_REJECTED');
    assert.equal(err.responseCode, 'REJECTED');
    assert.equal(err.responseCodeValue, 3);
    assert.equal(err.errorMessage, 'stream not provisioned');
    assert.equal(client.state, 'Unattached');
    assert.equal(client.lease, null);
    // The client can try again.
    const lease = await attached(env, client, { streamId: 10000, role: 'consumer' });
    assert.equal(lease.streamId, 10000);
  });

  test('ATTACH-09: a layout version the driver does not have is rejected (REJECTED "layout_version mismatch")', async () => {
    const env = new Env();
    const client = env.client();
    const p = assert.rejects(client.attach({ streamId: 10000, role: 'consumer', expectedLayoutVersion: 9 }), (e: unknown) => e instanceof AttachRejectedError && e.errorMessage === 'layout_version mismatch');
    await env.settle();
    await p;
  });

  test('IDENTITY-05: "client_id already attached" for an auto-assigned id → a new clientId, backoff, retry', async () => {
    const env = new Env();
    const client = env.client();
    const first = client.clientId;
    foreignAttach(env, first);
    await env.settle();
    const changed: [number, number][] = [];
    client.on('client-id-changed', (n, prev) => changed.push([n, prev]));
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await env.settle();
    assert.equal(client.state, 'Backoff');
    await env.advance(50);
    const lease = await p;
    assert.equal(changed.length, 1);
    assert.deepEqual(changed[0], [client.clientId, first]);
    assert.notEqual(lease.clientId, first);
    assert.equal(env.driver.snapshot().leases.length, 2);
  });

  test('IDENTITY-05 applies to auto-assigned ids only: an explicit clientId that is taken is an AttachRejectedError', async () => {
    const env = new Env();
    foreignAttach(env, 1234);
    await env.settle();
    const client = env.client({ clientId: 1234 });
    const p = assert.rejects(client.attach({ streamId: 10000, role: 'consumer' }), (e: unknown) => e instanceof AttachRejectedError && e.errorMessage === 'client_id already attached');
    await env.settle();
    await p;
    assert.equal(client.clientId, 1234);
  });

  test('CLIENT-11 / CLIENT-19, found by the soak: an explicit clientId refused as taken by its own abandoned request is retried, not rejected', async () => {
    // A driver slower than the attach timeout: request 1 is abandoned, request 2 goes out; the
    // driver then grants request 1 (an orphan, detached at once) and refuses request 2 with
    // "client_id already attached" — the id is held by this client's own orphan, not by another.
    const env = new Env();
    const client = env.client({ clientId: 4321, attachTimeoutMs: 100, attachResendIntervalMs: 0 });
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await turn(); // connected, request 1 queued but not delivered
    for (let t = 0; t < 200 && client.counters.attachRequestsSent < 2; t += 10) {
      env.sched.advance(10); // time passes, nothing is delivered: request 1 times out, request 2 follows
      await turn();
    }
    assert.equal(client.counters.attachRequestsSent, 2);
    await env.settle();
    await env.advance(100);
    const lease = await p;
    assert.equal(lease.clientId, 4321);
    assert.equal(client.counters.orphanLeasesDetached, 1);
    assert.equal(env.driver.snapshot().leases.length, 1);
  });

  test('CLIENT-10: a second attach while one is wanted is refused with ClientBusyError', async () => {
    const env = new Env();
    const client = env.client();
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await assert.rejects(client.attach({ streamId: 10000, role: 'consumer' }), ClientBusyError);
    await env.settle();
    await p;
    await assert.rejects(client.attach({ streamId: 10000, role: 'producer' }), ClientBusyError);
  });
});

describe('driver client: losing the lease and reattaching', () => {
  test('REVOKE-06 case 1 / CLIENT-07: a detach the client did not send (on its connection) → lease-lost + revoked(DETACHED), backoff, reattach', async () => {
    const { env, client, log, lease } = await attachedSetup();
    const detach = new Uint8Array(33);
    new ShmDetachRequestEncoder().wrapAndApplyHeader(detach).correlationId(5n).leaseId(lease.leaseId).streamId(10000).clientId(lease.clientId).role(Role.CONSUMER).finish();
    // On the client's own connection: since TRANSPORT.md §4 only the owning connection may detach.
    (env.connections.at(-1) as ControlConnection).send(detach);
    await env.settle();
    assert.deepEqual(log.revoked, ['DETACHED']);
    assert.deepEqual(log.lost.map((c) => c.kind), ['revoked']);
    assert.equal(client.lease, null); // stopped using it at once
    assert.equal(client.state, 'Backoff');
    await env.advance(20);
    assert.equal(client.state, 'Attached');
    assert.equal(log.attached.length, 2);
    assert.notEqual(leaseOf(client)?.leaseId, lease.leaseId);
    assert.equal(leaseOf(client)?.clientId, lease.clientId);
  });

  test('KEEPALIVE-03 / REVOKE-06: keepalives stop reaching the driver → EXPIRED notice → reattach with the same clientId', async () => {
    const { env, client, log, lease } = await attachedSetup('producer');
    const conn = env.connections[0]!;
    conn.dropTemplates.add(5); // ShmLeaseKeepalive
    await env.advance(3_000);
    assert.equal(client.lease, lease); // within 3 × interval the driver has not expired it yet
    await env.advance(1_100);
    assert.deepEqual(log.revoked, ['EXPIRED']);
    conn.dropTemplates.clear();
    await env.advance(100);
    assert.equal(client.state, 'Attached');
    assert.equal(log.attached.length, 2);
    assert.ok(client.lease!.epoch > lease.epoch); // EPOCH-01: a producer's new lease, a new epoch
  });

  test('backoff grows exponentially while the driver keeps refusing, and resets after a grant', async () => {
    const { env, client, log, lease } = await attachedSetup();
    env.refuse = true;
    env.transport.dropAll();
    await env.settle();
    const t0 = env.sched.now();
    const calls: number[] = [];
    for (let i = 0; i < 2_000 && calls.length < 6; i++) {
      const before = env.connectCalls;
      await env.advance(5, 5);
      if (env.connectCalls > before) calls.push(env.sched.now() - t0);
    }
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]! * 0.9, `gaps ${gaps.join(',')}`);
    assert.ok(gaps[gaps.length - 1]! >= 100, `gaps ${gaps.join(',')}`);
    env.refuse = false;
    await env.advance(2_000);
    assert.equal(client.state, 'Attached');
    assert.notEqual(client.lease?.leaseId, lease.leaseId);
    assert.ok(log.disconnected >= 6);
  });

  test('connection loss with the driver still running → disconnected, reconnect; the old lease still holds the id, so a new one is chosen (IDENTITY-05)', async () => {
    const { env, client, log, lease } = await attachedSetup();
    env.transport.dropAll(new Error('socket reset'));
    await env.settle();
    assert.equal(log.disconnected, 1);
    assert.deepEqual(log.lost.map((c) => c.kind), ['disconnected']);
    assert.equal(client.lease, null);
    await env.advance(200);
    assert.equal(client.state, 'Attached');
    assert.equal(env.connections.length, 2);
    assert.notEqual(leaseOf(client)?.clientId, lease.clientId);
  });

  test('SHUTDOWN-05: ShmDriverShutdown invalidates the lease at once; the client backs off and reattaches when a new driver is there', async () => {
    const { env, client, log, lease } = await attachedSetup();
    env.driver.close(); // SHUTDOWN-09: ShmDriverShutdown(NORMAL) now
    await env.settle();
    assert.deepEqual(log.shutdown, [0]);
    assert.deepEqual(log.lost.map((c) => c.kind), ['shutdown']);
    assert.equal(client.lease, null);
    assert.equal(env.connections[0]!.closed, true);
    // The old driver is Stopped: reattaches are refused with "driver draining" and retried.
    await env.advance(100);
    assert.ok(log.attachFailed.length >= 1);
    assert.ok(log.attachFailed.every((m) => m === 'driver draining'));
    assert.notEqual(client.state, 'Attached');
    const next = env.startDriver();
    await env.advance(6_000);
    assert.equal(client.state, 'Attached');
    assert.equal(next.snapshot().leases.length, 1);
    assert.ok(leaseOf(client)!.epoch >= lease.epoch); // EPOCH-04/08: never below the old epochs
  });

  test('SHUTDOWN-06 / EPOCH-04: the driver dies without a notice → disconnected, reconnect to its successor, reattach', async () => {
    const env = new Env();
    const client = env.client();
    const log = record(client);
    await attached(env, client, { streamId: 10000, role: 'producer' });
    env.startDriver(); // drops every connection of the old one
    await env.advance(200);
    assert.equal(log.disconnected, 1);
    assert.equal(client.state, 'Attached');
    assert.equal(env.driver.snapshot().leases.length, 1);
    assert.equal(log.attached.length, 2);
  });
});

describe('driver client: detach and close', () => {
  test('§17.1: detach() sends ShmDetachRequest and waits for the response (Detaching → Unattached); the driver drops the lease', async () => {
    const { env, client, log, lease } = await attachedSetup();
    const detached: Lease[] = [];
    client.on('detached', (l) => detached.push(l));
    let done = false;
    const d = client.detach().then(() => (done = true));
    assert.equal(client.state, 'Detaching');
    assert.equal(client.lease, null);
    assert.equal(done, false);
    await env.settle();
    await d;
    assert.equal(client.state, 'Unattached');
    assert.deepEqual(detached, [lease]);
    assert.deepEqual(log.lost.map((c) => c.kind), ['detached']);
    assert.deepEqual(log.revoked, []); // the DETACHED notice for our own detach is not a revocation
    assert.equal(env.driver.snapshot().leases.length, 0);
    assert.equal(client.announces.isTracked(10000), false); // no epoch events for a stream given back
    const before = client.counters.keepalivesSent;
    await env.advance(3_000);
    assert.equal(client.counters.keepalivesSent, before);
    // And attach again on the same connection.
    await attached(env, client, { streamId: 10000, role: 'consumer' });
    assert.equal(env.connections.length, 1);
  });

  test('detach() while attaching cancels: attach() rejects with AttachCancelledError', async () => {
    const env = new Env();
    env.refuse = true;
    const client = env.client();
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await env.settle();
    assert.equal(client.state, 'Backoff');
    await client.detach();
    await assert.rejects(p, AttachCancelledError);
    assert.equal(client.state, 'Unattached');
    await env.advance(10_000);
    assert.equal(client.state, 'Unattached');
  });

  test('CLIENT-19 (conforming): a lease granted to a cancelled request is detached, not left to expire', async () => {
    const env2 = new Env();
    const c2 = env2.client();
    const p2 = c2.attach({ streamId: 10000, role: 'consumer' });
    await turn(); // connected, the request queued in the transport but not yet delivered
    assert.equal(c2.state, 'Attaching');
    const d = c2.detach();
    await assert.rejects(p2, AttachCancelledError);
    await d;
    await env2.settle();
    assert.equal(c2.counters.orphanLeasesDetached, 1);
    assert.equal(env2.driver.snapshot().leases.length, 0);
  });

  test('close() stops everything: pending attach rejects with ClientClosedError, the connection closes, no more timers', async () => {
    const env = new Env();
    env.refuse = true;
    const client = env.client();
    const p = client.attach({ streamId: 10000, role: 'consumer' });
    await env.settle();
    client.close();
    await assert.rejects(p, ClientClosedError);
    assert.equal(client.state, 'Closed');
    await assert.rejects(client.attach({ streamId: 10000, role: 'consumer' }), ClientClosedError);
    await client.detach();
    assert.equal(env.sched.pending, 0);
  });

  test('close() while attached: lease-lost(closed) and the driver revokes the lease of the closed connection', async () => {
    const env = new Env(testConfig());
    const client = env.client();
    const log = record(client);
    await attached(env, client, { streamId: 10000, role: 'consumer' });
    client.close();
    await env.settle();
    assert.deepEqual(log.lost.map((c) => c.kind), ['closed']);
    assert.equal(env.driver.snapshot().leases.length, 0);
    assert.equal(env.sched.pending, 0);
  });
});

describe('driver client: announces of the lease stream', () => {
  test('REVOKE-06 case 2 / EPOCH-02: a consumer sees producer-revoked, then epoch-changed for the bumped epoch (no timeout)', async () => {
    const env = new Env();
    const producer = env.client({}, 1);
    const consumer = env.client({}, 2);
    const p = await attached(env, producer, { streamId: 10000, role: 'producer' });
    const c = await attached(env, consumer, { streamId: 10000, role: 'consumer' });
    assert.equal(c.epoch, p.epoch);
    const seen: string[] = [];
    consumer.on('producer-revoked', (s, l) => seen.push(`producer-revoked ${s} ${l}`));
    consumer.on('epoch-changed', (e) => seen.push(`epoch ${e.previousEpoch === c.epoch} ${e.epoch > c.epoch} ${e.producerId}`));
    consumer.on('announce-timeout', () => seen.push('timeout'));
    const d = producer.detach();
    await env.settle();
    await d;
    await env.advance(4_000);
    assert.deepEqual(seen.slice(0, 2), [`producer-revoked 10000 ${p.leaseId}`, 'epoch true true 0']);
    assert.ok(!seen.includes('timeout'));
    assert.equal(consumer.state, 'Attached'); // a consumer keeps its lease through a producer change
  });
});
