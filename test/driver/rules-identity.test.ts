/**
 * Identity rules (TRACEABILITY.md): IDENTITY-01/03/04/06/08/09/10/11, ATTACH-13.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseCode } from '../../src/sbe/index.js';
import { NodeIdAllocator } from '../../src/driver/node-id-allocator.js';
import { Harness, kinds } from './harness.js';

const attachCode = (h: Harness, a: Parameters<Harness['attach']>[0]): [number, string, number | null] => {
  const r = h.attach(a).find((s) => s.kind === 'attach');
  assert.ok(r !== undefined && r.kind === 'attach');
  return [r.code, r.error, r.nodeId];
};

describe('IDENTITY', () => {
  test('IDENTITY-01/06: lease ids count from 1, +1 per granted lease, never reused after detach, expiry or connection loss; rejections consume none', () => {
    const h = new Harness();
    const ids: bigint[] = [];
    ids.push(h.lease({ clientId: 1, role: 'consumer' }).leaseId as bigint);
    h.attach({ clientId: 1, role: 'consumer' }); // rejected (row 6)
    ids.push(h.lease({ clientId: 2, role: 'producer', connection: 9 }).leaseId as bigint);
    h.driver.connectionClosed(9);
    h.detach(ids[0] as bigint, 10000, 1, 'consumer');
    ids.push(h.lease({ clientId: 1, role: 'consumer' }).leaseId as bigint);
    h.advanceMs(3001);
    ids.push(h.lease({ clientId: 2, role: 'producer' }).leaseId as bigint);
    assert.deepEqual(ids, [1n, 2n, 3n, 4n]);
  });

  test('IDENTITY-04: clientId 0 is an ordinary id to the driver (no auto-assign); a second client using it is told "client_id already attached" (IDENTITY-05)', () => {
    const h = new Harness();
    assert.equal(h.lease({ clientId: 0, role: 'consumer' }).code, ResponseCode.OK);
    assert.deepEqual(attachCode(h, { clientId: 0, role: 'producer' }), [ResponseCode.REJECTED, 'client_id already attached', null]);
  });

  test('IDENTITY-03/07: one live lease per clientId across streams and roles; free again once it ends', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 5, role: 'consumer' });
    assert.equal(attachCode(h, { clientId: 5, role: 'producer', streamId: 1, publishMode: 2 })[1], 'client_id already attached');
    h.detach(a.leaseId as bigint, 10000, 5, 'consumer');
    assert.equal(h.lease({ clientId: 5, role: 'producer', streamId: 1, publishMode: 2 }).code, ResponseCode.OK);
  });

  test('IDENTITY-11: without a desired id the scan hands out 1, 2, 3 …, skips ids held or remembered for others, never 0', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    const b = h.lease({ clientId: 2, role: 'consumer' });
    h.lease({ clientId: 3, role: 'consumer', desiredNodeId: 4 });
    const d = h.lease({ clientId: 4, role: 'consumer' });
    assert.deepEqual([a.nodeId, b.nodeId, d.nodeId], [1, 2, 3]);
    h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    // Node id 1 is remembered for client 1: a newcomer skips it (and 4, held by client 3).
    assert.equal(h.lease({ clientId: 5, role: 'consumer' }).nodeId, 5);
  });

  test('IDENTITY-11 (conforming driver): desiredNodeId 0 is refused (REJECTED "node_id unavailable", no nodeId)', () => {
    const h = new Harness();
    assert.deepEqual(attachCode(h, { clientId: 1, role: 'consumer', desiredNodeId: 0 }), [ResponseCode.REJECTED, 'node_id unavailable', null]);
  });

  test('IDENTITY-09: a returning client gets its remembered node id back, with desiredNodeId null or equal', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 7, role: 'consumer', desiredNodeId: 70 });
    h.detach(a.leaseId as bigint, 10000, 7, 'consumer');
    const b = h.lease({ clientId: 7, role: 'consumer' });
    assert.equal(b.nodeId, 70);
    h.detach(b.leaseId as bigint, 10000, 7, 'consumer');
    assert.equal(h.lease({ clientId: 7, role: 'consumer', desiredNodeId: 70 }).nodeId, 70);
  });

  test('IDENTITY-09 (deviation): a returning client asking for a different, free node id gets it (the RI rejects)', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 7, role: 'consumer', desiredNodeId: 70 });
    h.detach(a.leaseId as bigint, 10000, 7, 'consumer');
    assert.equal(h.lease({ clientId: 7, role: 'consumer', desiredNodeId: 71 }).nodeId, 71);
  });

  test('IDENTITY-10, ATTACH-13: a desired id held by a live lease or remembered for another client is refused without a nodeId; a free one is granted', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer', desiredNodeId: 10 });
    assert.deepEqual(attachCode(h, { clientId: 2, role: 'consumer', desiredNodeId: 10 }), [ResponseCode.REJECTED, 'node_id unavailable', null]);
    h.detach(a.leaseId as bigint, 10000, 1, 'consumer');
    assert.deepEqual(attachCode(h, { clientId: 2, role: 'consumer', desiredNodeId: 10 }), [ResponseCode.REJECTED, 'node_id unavailable', null]);
    assert.equal(h.lease({ clientId: 2, role: 'consumer', desiredNodeId: 11 }).nodeId, 11);
  });

  test('IDENTITY-08 (deviation): node ids are released with the lease; remembered ids are capped, oldest forgotten first (RI: kept forever)', () => {
    const ids = new NodeIdAllocator(2);
    for (const client of [1, 2, 3]) {
      const id = ids.choose(client, null);
      ids.take(client, id, client);
      ids.release(id, client);
    }
    assert.equal(ids.heldCount, 0);
    // Client 1 was forgotten (limit 2): its old id 1 is free for a newcomer; 2 and 3 are still remembered.
    assert.equal(ids.choose(99, 1), 1);
    assert.equal(ids.choose(99, 2), -1);
    assert.equal(ids.choose(2, null), 2);
  });

  test('IDENTITY-12: node ids are stable for the lease lifetime (keepalives do not change them)', () => {
    const h = new Harness();
    const a = h.lease({ clientId: 1, role: 'consumer' });
    for (let i = 0; i < 3; i++) {
      h.clock.advanceMs(1000);
      assert.deepEqual(kinds(h.keepalive(a.leaseId as bigint, 10000, 1, 'consumer')), []);
    }
    assert.equal(h.driver.snapshot().leases[0]?.nodeId, a.nodeId);
  });
});
