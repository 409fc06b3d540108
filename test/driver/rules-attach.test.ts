/**
 * DRIVER_RULES §2-§3 rule by rule (TRACEABILITY.md): ATTACH-03..06/08/10/12/13/16/19, CODE-01
 * with the §3.1 evaluation order (first matching row wins), ANNOUNCE-03 consistency.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClockDomain, HugepagesPolicy, PublishMode, ResponseCode, Role, ShmAttachRequestEncoder, ShutdownReason } from '../../src/sbe/index.js';
import { parseRegionUri } from '../../src/shm/index.js';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import {
  Harness,
  PROFILE,
  decodeAnnounceFields,
  decodeAttachFields,
  kinds,
  lastFrames,
  testConfig,
  type AttachArgs,
  type AttachFields,
} from './harness.js';

/** ATTACH-03/04/05: what every OK response must carry, checked field by field. */
function assertCompleteOk(r: AttachFields, profile: ProfileConfig = PROFILE): void {
  assert.equal(r.code, ResponseCode.OK);
  for (const k of ['leaseId', 'streamId', 'epoch', 'layoutVersion', 'headerNslots', 'headerSlotBytes'] as const) {
    assert.notEqual(r[k], null, `ATTACH-03: ${k} must not be null on OK`);
  }
  assert.equal(r.headerSlotBytes, 256);
  assert.equal(r.layoutVersion, 1);
  assert.equal(r.headerNslots, profile.headerNslots);
  assert.ok(r.pools.length >= 1, 'ATTACH-04: at least one pool');
  assert.deepEqual(r.pools.map((p) => [p.poolId, p.strideBytes]), profile.payloadPools.map((p) => [p.poolId, p.strideBytes]));
  for (const p of r.pools) assert.equal(p.poolNslots, r.headerNslots, 'ATTACH-04: poolNslots == headerNslots');
  // ATTACH-05: non-empty, non-blank and valid per SHM_LAYOUT §8 (parseRegionUri throws otherwise).
  const dir = `/${r.streamId}/${r.epoch}/`;
  for (const uri of [r.headerRegionUri, ...r.pools.map((p) => p.regionUri)]) {
    assert.notEqual(uri.trim(), '');
    const parsed = parseRegionUri(uri);
    assert.ok(parsed.path.includes(dir), `${uri} lies in the epoch dir ${dir}`);
  }
  assert.match(parseRegionUri(r.headerRegionUri).path, /\/header\.ring$/);
  r.pools.forEach((p) => assert.match(parseRegionUri(p.regionUri).path, new RegExp(`/${p.poolId}\\.pool$`)));
  assert.equal(r.errorMessage, '');
  assert.notEqual(r.leaseExpiryTimestampNs, null); // ATTACH-08 (RI always sets it; so do we)
  assert.notEqual(r.nodeId, null); // IDENTITY-12
}

/** Attaches and returns the decoded response and the announce after it. */
function attachFull(h: Harness, a: AttachArgs) {
  const sent = h.attach(a);
  const attach = lastFrames(h, 'attach');
  const announces = lastFrames(h, 'announce');
  assert.equal(attach.length, 1, JSON.stringify(kinds(sent)));
  return { response: decodeAttachFields(attach[0] as Uint8Array), announces: announces.map(decodeAnnounceFields), kinds: kinds(sent) };
}

describe('ATTACH-03/04/05/08 on every OK response', () => {
  test('ATTACH-03/04/05: fresh consumer, producer on a provisioned stream, second consumer, dynamic producer, reattach after producer loss', () => {
    const h = new Harness();
    const seen: AttachFields[] = [];
    seen.push(attachFull(h, { clientId: 1, role: 'consumer' }).response);
    seen.push(attachFull(h, { clientId: 2, role: 'producer' }).response);
    seen.push(attachFull(h, { clientId: 3, role: 'consumer' }).response);
    seen.push(attachFull(h, { clientId: 4, role: 'producer', streamId: 1, publishMode: PublishMode.EXISTING_OR_CREATE }).response);
    seen.push(attachFull(h, { clientId: 5, role: 'consumer', streamId: 20000 }).response);
    h.detach(seen[1]?.leaseId as bigint, 10000, 2, 'producer');
    seen.push(attachFull(h, { clientId: 2, role: 'producer' }).response);
    const fresh = new Harness();
    seen.push(attachFull(fresh, { clientId: 9, role: 'producer' }).response);
    for (const r of seen) assertCompleteOk(r);
  });

  test('ATTACH-04: a profile with several pools gets every pool, each with poolNslots = headerNslots', () => {
    const big: ProfileConfig = { name: 'big', headerNslots: 64, headerSlotBytes: 256, payloadPools: [1, 2, 3].map((i) => ({ poolId: i, strideBytes: 4096 << i })) };
    const h = new Harness(testConfig({}, { profiles: new Map([['small', PROFILE], ['big', big]]), streams: [{ name: 'b', streamId: 10000, profile: 'big' }] }));
    assertCompleteOk(attachFull(h, { clientId: 1, role: 'consumer' }).response, big);
  });

  test('ATTACH-08, KEEPALIVE-06: leaseExpiryTimestampNs = now + interval × grace (here 250 ms × 4)', () => {
    const h = new Harness(testConfig({ leaseKeepaliveIntervalMs: 250, leaseExpiryGraceIntervals: 4 }));
    const r = attachFull(h, { clientId: 1, role: 'consumer' }).response;
    assert.equal(r.leaseExpiryTimestampNs, BigInt(h.clock.nowNs + 1_000_000_000));
  });

  test('ANNOUNCE-03: the announce after an OK attach carries the same stream, epoch, layout, nslots, pools and URIs, MONOTONIC clock, now', () => {
    const h = new Harness();
    h.clock.advanceMs(7);
    for (const a of [{ clientId: 1, role: 'consumer' }, { clientId: 2, role: 'producer' }] as const) {
      const { response: r, announces } = attachFull(h, a);
      assert.equal(announces.length, 1);
      const n = announces[0];
      assert.ok(n !== undefined);
      assert.equal(n.streamId, r.streamId);
      assert.equal(n.epoch, r.epoch);
      assert.equal(n.layoutVersion, r.layoutVersion);
      assert.equal(n.headerNslots, r.headerNslots);
      assert.equal(n.headerSlotBytes, 256);
      assert.equal(n.headerRegionUri, r.headerRegionUri);
      assert.deepEqual(n.pools, r.pools);
      assert.equal(n.announceClockDomain, ClockDomain.MONOTONIC);
      assert.equal(n.announceTimestampNs, BigInt(h.clock.nowNs));
      assert.equal(n.producerId, a.role === 'producer' ? 2 : 0); // PRODUCER-03
    }
  });
});

describe('ATTACH-06: non-OK responses', () => {
  test('ATTACH-06, SCHEMA-04: every optional field is the null sentinel, zero pools, empty URI, a diagnostic', () => {
    const h = new Harness();
    h.attach({ clientId: 1, role: 'consumer', streamId: 4 });
    const r = decodeAttachFields(lastFrames(h, 'attach')[0] as Uint8Array);
    assert.deepEqual(
      { ...r, correlationId: 0n },
      {
        correlationId: 0n, code: ResponseCode.REJECTED, leaseId: null, leaseExpiryTimestampNs: null, streamId: null, epoch: null, layoutVersion: null,
        headerNslots: null, headerSlotBytes: null, nodeId: null, pools: [], headerRegionUri: '', errorMessage: 'stream not provisioned',
      },
    );
  });
});

describe('CODE-01: DRIVER_RULES §3.1, the first matching row wins', () => {
  const rejectedWith = (h: Harness, a: AttachArgs): [number, string] => {
    const sent = h.attach(a);
    assert.deepEqual(kinds(sent), ['attach'], 'a rejected attach sends its response only (§16)');
    const r = decodeAttachFields(lastFrames(h, 'attach')[0] as Uint8Array);
    return [r.code, r.errorMessage];
  };

  test('CODE-01 §3.1 row 1 beats row 2: draining rejects even a bogus publish_mode with "driver draining"', () => {
    const h = new Harness();
    h.shutdownRequest('secret', ShutdownReason.ADMIN);
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer', publishMode: 9 }), [ResponseCode.REJECTED, 'driver draining']);
  });

  test('CODE-01 §3.1 row 2 beats rows 3-17: unsupported publish_mode with everything else wrong too', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'producer', publishMode: 9, hugepages: HugepagesPolicy.HUGEPAGES, streamId: 4, layout: 7 }), [ResponseCode.UNSUPPORTED, 'unsupported publish_mode']);
  });

  test('CODE-01 §3.1 row 3 beats row 6; row 5 beats row 6', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer', hugepages: HugepagesPolicy.HUGEPAGES }), [ResponseCode.REJECTED, 'hugepages required but unavailable']);
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer', hugepages: 3 }), [ResponseCode.INVALID_PARAMS, 'unknown hugepages policy']);
  });

  test('ATTACH-11: STANDARD and UNSPECIFIED are accepted when shm.require_hugepages=false; HUGEPAGES and UNSPECIFIED when true', () => {
    const h = new Harness();
    assert.equal(h.lease({ clientId: 1, role: 'consumer', hugepages: HugepagesPolicy.STANDARD }).code, ResponseCode.OK);
    assert.equal(h.lease({ clientId: 2, role: 'consumer', hugepages: HugepagesPolicy.UNSPECIFIED }).code, ResponseCode.OK);
    const cfg = testConfig();
    const hp = new Harness({ ...cfg, shm: { ...cfg.shm, requireHugepages: true } });
    assert.equal(hp.lease({ clientId: 1, role: 'consumer', hugepages: HugepagesPolicy.HUGEPAGES }).code, ResponseCode.OK);
    assert.equal(hp.lease({ clientId: 2, role: 'consumer', hugepages: HugepagesPolicy.UNSPECIFIED }).code, ResponseCode.OK);
  });

  test('CODE-01 §3.1 row 6 beats row 10 and row 15 (IDENTITY-03/07, D5): the clientId check comes before the stream checks', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer' });
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer', streamId: 4 }), [ResponseCode.REJECTED, 'client_id already attached']);
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'producer' }), [ResponseCode.REJECTED, 'client_id already attached']);
  });

  test('CODE-01 §3.1 row 13 is unreachable (ATTACH-16, D5): the same client, stream and role again gets row 6, not "duplicate attach"', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer', correlationId: 5n });
    // Even a retry with the same correlationId is not treated as a retry (RI behaviour kept).
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer', correlationId: 5n }), [ResponseCode.REJECTED, 'client_id already attached']);
    assert.equal(h.driver.snapshot().leases.length, 1);
  });

  test('CODE-01 §3.1 row 9: a missing policies.default_profile for a dynamic stream → INVALID_PARAMS "profile not found"', () => {
    const h = new Harness(testConfig({ defaultProfile: 'nope' }));
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'producer', streamId: 4, publishMode: PublishMode.EXISTING_OR_CREATE }), [ResponseCode.INVALID_PARAMS, 'profile not found']);
  });

  test('CODE-01 §3.1 row 10 beats row 11: unknown stream and a bad layout version → "stream not provisioned"', () => {
    assert.deepEqual(rejectedWith(new Harness(), { clientId: 1, role: 'consumer', streamId: 4, layout: 9 }), [ResponseCode.REJECTED, 'stream not provisioned']);
  });

  test('CODE-01 §3.1 row 11 beats row 15: a second producer with a bad layout version → "layout_version mismatch"', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'producer' });
    assert.deepEqual(rejectedWith(h, { clientId: 2, role: 'producer', layout: 2 }), [ResponseCode.REJECTED, 'layout_version mismatch']);
  });

  test('CODE-01 §3.1 row 12 (ATTACH-12): a profile without payload pools → INVALID_PARAMS, nothing provisioned', () => {
    const empty: ProfileConfig = { name: 'empty', headerNslots: 8, headerSlotBytes: 256, payloadPools: [] };
    const h = new Harness(testConfig({}, { profiles: new Map([['small', PROFILE], ['empty', empty]]), streams: [{ name: 'e', streamId: 10000, profile: 'empty' }] }));
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'consumer' }), [ResponseCode.INVALID_PARAMS, 'stream has no payload pools']);
    assert.equal(h.shm.provisioned.length, 0);
  });

  test('CODE-01 §3.1 row 17 (deviation: checked before provisioning): a rejected producer attach bumps no epoch and consumes no lease id', () => {
    const h = new Harness();
    const c = h.lease({ clientId: 1, role: 'consumer', desiredNodeId: 42 });
    assert.deepEqual(rejectedWith(h, { clientId: 2, role: 'producer', desiredNodeId: 42 }), [ResponseCode.REJECTED, 'node_id unavailable']);
    assert.equal(h.shm.provisioned.length, 1);
    assert.equal(h.driver.snapshot().streams[0]?.epoch, c.epoch);
    assert.equal(h.lease({ clientId: 2, role: 'producer' }).leaseId, 2n);
  });

  test('CODE-01 §3.1 row 14 on a dynamic stream: the stream that failed to provision leaves no state behind', () => {
    const h = new Harness();
    h.shm.failNext = 'boom';
    assert.deepEqual(rejectedWith(h, { clientId: 1, role: 'producer', streamId: 4, publishMode: PublishMode.EXISTING_OR_CREATE }), [ResponseCode.INTERNAL_ERROR, 'failed to provision SHM: boom']);
    assert.deepEqual(h.driver.snapshot().streams, []);
    assert.equal(h.lease({ clientId: 1, role: 'producer', streamId: 4, publishMode: PublishMode.EXISTING_OR_CREATE }).streamId, 20001);
  });

  test('ATTACH-10: EXISTING_OR_CREATE on a configured stream attaches to it (no dynamic id is taken)', () => {
    const h = new Harness();
    assert.equal(h.lease({ clientId: 1, role: 'consumer', publishMode: PublishMode.EXISTING_OR_CREATE }).streamId, 10000);
    assert.equal(h.lease({ clientId: 2, role: 'consumer', publishMode: PublishMode.REQUIRE_EXISTING }).streamId, 10000);
  });
});

describe('ATTACH-19 (deviation): short and long attach blocks per PROTOCOL §1.6', () => {
  const request = (blockLength: number): Uint8Array => {
    const b = new Uint8Array(64);
    new ShmAttachRequestEncoder().wrapAndApplyHeader(b).correlationId(77n).streamId(10000).clientId(3).role(Role.CONSUMER)
      .expectedLayoutVersion(0).publishMode(null).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(42).finish();
    b[0] = blockLength;
    return b.slice(0, 8 + blockLength);
  };

  test('ATTACH-19: blockLength 23..26: accepted, the absent desiredNodeId counts as null (RI drops anything below 27)', () => {
    for (const bl of [23, 26]) {
      const h = new Harness();
      const sent = h.raw(request(bl));
      assert.deepEqual(kinds(sent), ['attach', 'announce'], `blockLength ${bl}`);
      const r = decodeAttachFields(lastFrames(h, 'attach')[0] as Uint8Array);
      assert.equal(r.code, ResponseCode.OK);
      assert.equal(r.correlationId, 77n);
      assert.notEqual(r.nodeId, 42); // desiredNodeId 42 was cut off: a scanned id instead
      assert.equal(r.nodeId, 1);
    }
    const full = new Harness();
    full.raw(request(27));
    assert.equal(decodeAttachFields(lastFrames(full, 'attach')[0] as Uint8Array).nodeId, 42);
  });

  test('ATTACH-19: blockLength < 23 (a required field missing): dropped with no response, counted', () => {
    const h = new Harness();
    assert.deepEqual(h.raw(request(22)), []);
    assert.equal(h.driver.counters.decodeErrors, 1);
    assert.equal(h.driver.snapshot().leases.length, 0);
  });

  test('ATTACH-19, PROTOCOL §1.6 rule 5: a longer block from a newer minor version: the extra bytes are skipped', () => {
    const h = new Harness();
    const b = new Uint8Array(8 + 40);
    b.set(request(27));
    b[0] = 40;
    const sent = h.raw(b);
    assert.equal(decodeAttachFields(lastFrames(h, 'attach')[0] as Uint8Array).code, ResponseCode.OK, JSON.stringify(kinds(sent)));
  });
});
