/**
 * Wire-level rules (TRACEABILITY.md): SCHEMA-04/05 and ATTACH-03/06 byte for byte against the
 * worked examples of PROTOCOL.md §5.3 and §5.4; SCHEMA-06 (where every message goes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseRevokeReason, ShutdownReason } from '../../src/sbe/index.js';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import { BROADCAST } from '../../src/driver/outbox.js';
import { Harness, kinds, lastFrames, testConfig } from './harness.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

/** PROTOCOL.md §5.3, verbatim. */
const OK_EXAMPLE = hex(`
36 00 02 00 85 03 01 00 01 00 00 00 2a 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00
00 f2 05 2a 01 00 00 00 10 27 00 00 00 94 35 77 00 00 00 00 01 00 00 00 00 04 00 00
00 01 01 00 00 00 0a 00 01 00 01 00 00 04 00 00 00 00 10 00 47 00 00 00 73 68 6d 3a
66 69 6c 65 3f 70 61 74 68 3d 2f 64 65 76 2f 73 68 6d 2f 74 65 6e 73 6f 72 70 6f 6f
6c 2d 61 6c 69 63 65 2f 64 65 66 61 75 6c 74 2f 31 30 30 30 30 2f 32 30 30 30 30 30
30 30 30 30 2f 31 2e 70 6f 6f 6c 4c 00 00 00 73 68 6d 3a 66 69 6c 65 3f 70 61 74 68
3d 2f 64 65 76 2f 73 68 6d 2f 74 65 6e 73 6f 72 70 6f 6f 6c 2d 61 6c 69 63 65 2f 64
65 66 61 75 6c 74 2f 31 30 30 30 30 2f 32 30 30 30 30 30 30 30 30 30 2f 68 65 61 64
65 72 2e 72 69 6e 67 00 00 00 00`);

/** PROTOCOL.md §5.4, assembled from its table. */
const REJECTED_EXAMPLE = hex(`
36 00 02 00 85 03 01 00  02 00 00 00 2a 00 00 00  03 00 00 00
ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff  ff ff ff ff  ff ff ff ff ff ff ff ff
ff ff ff ff  ff ff ff ff  ff ff  ff ff ff ff  0a 00 00 00  00 00 00 00  19 00 00 00
70 72 6f 64 75 63 65 72 20 61 6c 72 65 61 64 79 20 61 74 74 61 63 68 65 64`);

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
    assert.deepEqual([...(lastFrames(h, 'attach')[0] ?? [])], [...OK_EXAMPLE]);
    assert.equal(OK_EXAMPLE.length, 235);
    h.attach({ clientId: 43, role: 'producer', correlationId: 180388626434n });
    assert.deepEqual([...(lastFrames(h, 'attach')[0] ?? [])], [...REJECTED_EXAMPLE]);
    assert.equal(REJECTED_EXAMPLE.length, 99);
  });
});

describe('SCHEMA-06: control-plane routing', () => {
  test('SCHEMA-06: responses go to the requesting connection only; revocations, announces and the shutdown notice to every connection', () => {
    const h = new Harness();
    const a = h.attach({ clientId: 1, role: 'producer', connection: 5 });
    assert.deepEqual(a.map((s) => [s.kind, s.to]), [['attach', 5], ['announce', BROADCAST]]);
    const r = h.attach({ clientId: 2, role: 'producer', connection: 6 });
    assert.deepEqual(r.map((s) => [s.kind, s.to]), [['attach', 6]]);
    const d = h.detach(1n, 10000, 1, 'producer');
    assert.deepEqual(d.map((s) => [s.kind, s.to]), [['revoked', BROADCAST], ['announce', BROADCAST], ['detach', 1]]);
    assert.equal(d[0]?.kind === 'revoked' ? d[0].reason : -1, LeaseRevokeReason.DETACHED);
    const s = h.shutdownRequest('secret', ShutdownReason.ADMIN);
    assert.deepEqual(kinds(s), ['announce']);
    h.driver.close();
    assert.deepEqual(h.sink.take().map((x) => [x.kind, x.to]), [['shutdown', BROADCAST]]);
  });
});
