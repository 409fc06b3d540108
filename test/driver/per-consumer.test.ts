/** Per-consumer stream requests (PERCONSUMER-01..06, STREAMID-02..04). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Harness, kinds, type Sent } from './harness.js';

type Config = Extract<Sent, { kind: 'config' }>;

describe('ConsumerHello handling (PERCONSUMER-06)', () => {
  test('no request → ignored; a request from a client without a consumer lease on that stream → ignored', () => {
    const h = new Harness();
    assert.deepEqual(h.hello(10000, 1, '', 0), []);
    assert.deepEqual(h.hello(10000, 1, 'unix:/tmp/x', 5), []);
    assert.equal(h.driver.counters.consumerHellosIgnored, 2);
  });

  test('a valid request gets an id from the range (the requested id is only a token), reused on repeat', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    const a = h.hello(10000, 1, 'unix:/tmp/desc', 5) as Config[];
    assert.deepEqual(kinds(a), ['config']);
    assert.equal(a[0]?.descriptorStreamId, 31000);
    assert.equal(a[0]?.descriptorChannel, 'unix:/tmp/desc');
    assert.equal(a[0]?.controlStreamId, 0); // no control range configured: declined
    const b = h.hello(10000, 1, 'unix:/tmp/desc', 6) as Config[];
    assert.equal(b[0]?.descriptorStreamId, 31000);
  });

  test('PERCONSUMER-01: a half request (channel with id 0) is answered with both declined', () => {
    const h = new Harness();
    h.lease({ clientId: 1, role: 'consumer' });
    const a = h.hello(10000, 1, 'unix:/tmp/desc', 0) as Config[];
    assert.equal(a[0]?.descriptorStreamId, 0);
    assert.equal(a[0]?.descriptorChannel, '');
  });

  test('STREAMID-04 / REVOKE-11: an exhausted range declines; ids are freed when the consumer lease ends', () => {
    const h = new Harness();
    const leases = [1, 2, 3].map((c) => h.lease({ clientId: c, role: 'consumer' }));
    assert.equal((h.hello(10000, 1, 'unix:/d', 1)[0] as Config).descriptorStreamId, 31000);
    assert.equal((h.hello(10000, 2, 'unix:/d', 1)[0] as Config).descriptorStreamId, 31001);
    assert.equal((h.hello(10000, 3, 'unix:/d', 1)[0] as Config).descriptorStreamId, 0);
    h.detach(leases[0]?.leaseId as bigint, 10000, 1, 'consumer');
    assert.equal((h.hello(10000, 3, 'unix:/d', 1)[0] as Config).descriptorStreamId, 31000);
  });
});
