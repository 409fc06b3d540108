/**
 * Wire-level rules (TRACEABILITY.md): SCHEMA-04/05 and ATTACH-03/06 byte for byte against the
 * worked examples of PROTOCOL.md §5.3 and §5.4; SCHEMA-06 (where every message goes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseRevokeReason, ShutdownReason } from '../../src/sbe/index.js';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import { BROADCAST } from '../../src/driver/outbox.js';
import { ATTACH_RESPONSE_OK_EXAMPLE, ATTACH_RESPONSE_REJECTED_EXAMPLE } from '../sbe/protocol-examples.js';
import { Harness, kinds, lastFrames, testConfig } from './harness.js';

const EXAMPLE_PROFILE: ProfileConfig = { name: 'ex', headerNslots: 1024, headerSlotBytes: 256, payloadPools: [{ poolId: 1, strideBytes: 1048576 }] };

describe('PROTOCOL.md worked examples, produced by the driver (SCHEMA-04/05, ATTACH-03/06)', () => {
  test('SCHEMA-04/05, ATTACH-03/06, PROTOCOL §5.3: the OK response of lease 7 at t = 2 s is byte-identical to the example (235 bytes); §5.4: the REJECTED one (99 bytes)', () => {
    const h = new Harness(
      testConfig({}, {
        profiles: new Map([['ex', EXAMPLE_PROFILE]]),
        streams: [{ name: 'a', streamId: 10000, profile: 'ex' }, { name: 'b', streamId: 10001, profile: 'ex' }],
      }),
    );
    h.shm.uriRoot = '/dev/shm/tensorpool-alice/default';
    h.clock.nowNs = 1_000_000_000;
    // Leases 1..6: client 42 on another stream, so its node id (1) is remembered for it.
    for (let i = 1n; i <= 6n; i++) {
      const r = h.lease({ clientId: 42, role: 'consumer', streamId: 10001 });
      h.detach(r.leaseId as bigint, 10001, 42, 'consumer');
    }
    h.clock.nowNs = 2_000_000_000;
    h.attach({ clientId: 42, role: 'producer', correlationId: 180388626433n, publishMode: 2 });
    assert.deepEqual([...(lastFrames(h, 'attach')[0] ?? [])], [...ATTACH_RESPONSE_OK_EXAMPLE]);
    assert.equal(ATTACH_RESPONSE_OK_EXAMPLE.length, 235);
    h.attach({ clientId: 43, role: 'producer', correlationId: 180388626434n });
    assert.deepEqual([...(lastFrames(h, 'attach')[0] ?? [])], [...ATTACH_RESPONSE_REJECTED_EXAMPLE]);
    assert.equal(ATTACH_RESPONSE_REJECTED_EXAMPLE.length, 99);
  });
});

describe('SCHEMA-06: control-plane routing', () => {
  test('SCHEMA-06: responses go to the requesting connection only; revocations, announces and the shutdown notice to every connection', () => {
    const h = new Harness();
    const a = h.attach({ clientId: 1, role: 'producer', connection: 5 });
    assert.deepEqual(a.map((s) => [s.kind, s.to]), [['attach', 5], ['announce', BROADCAST]]);
    const r = h.attach({ clientId: 2, role: 'producer', connection: 6 });
    assert.deepEqual(r.map((s) => [s.kind, s.to]), [['attach', 6]]);
    const d = h.detach(1n, 10000, 1, 'producer', 77n, 5);
    assert.deepEqual(d.map((s) => [s.kind, s.to]), [['revoked', BROADCAST], ['announce', BROADCAST], ['detach', 5]]);
    assert.equal(d[0]?.kind === 'revoked' ? d[0].reason : -1, LeaseRevokeReason.DETACHED);
    const s = h.shutdownRequest('secret', ShutdownReason.ADMIN);
    assert.deepEqual(kinds(s), ['announce']);
    h.driver.close();
    assert.deepEqual(h.sink.take().map((x) => [x.kind, x.to]), [['shutdown', BROADCAST]]);
  });
});
