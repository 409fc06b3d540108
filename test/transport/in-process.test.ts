/**
 * The in-process transport: responses go to the requester only, revocations and announces to
 * every connection, a closed connection's leases are revoked (issue 5 policy), and nothing
 * re-enters the driver while it works.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/driver/clock.js';
import { Driver } from '../../src/driver/driver.js';
import { HugepagesPolicy, MessageHeaderDecoder, Role, ShmAttachRequestEncoder } from '../../src/sbe/index.js';
import { InProcessTransport, type InProcessConnection } from '../../src/transport/index.js';
import { FakeShm, testConfig } from '../driver/harness.js';

function setup() {
  const transport = new InProcessTransport();
  const clock = new ManualClock();
  const driver = new Driver({ config: testConfig(), shm: new FakeShm(), sink: transport, clock: clock.read }).start();
  transport.bind(driver);
  return { transport, driver, clock };
}

function record(c: InProcessConnection): string[] {
  const got: string[] = [];
  const h = new MessageHeaderDecoder();
  c.onFrame = (f) => {
    const x = h.wrap(f);
    got.push(`${x.schemaId()}/${x.templateId()}`);
  };
  return got;
}

function attach(c: InProcessConnection, clientId: number, role: Role): void {
  const b = new Uint8Array(35);
  new ShmAttachRequestEncoder().wrapAndApplyHeader(b).correlationId(BigInt(clientId)).streamId(10000).clientId(clientId).role(role)
    .expectedLayoutVersion(0).publishMode(null).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(null).finish();
  c.send(b);
}

describe('in-process transport', () => {
  test('an attach response reaches only the requester; the announce reaches everyone', () => {
    const { transport } = setup();
    const a = transport.connect();
    const b = transport.connect();
    const ga = record(a);
    const gb = record(b);
    attach(a, 1, Role.CONSUMER);
    assert.deepEqual(ga, []); // queued, not yet delivered
    transport.pump();
    assert.deepEqual(ga, ['901/2', '900/1']);
    assert.deepEqual(gb, ['900/1']);
  });

  test('closing a connection revokes its leases: every other connection sees ShmLeaseRevoked then the new epoch', () => {
    const { transport, driver } = setup();
    const producer = transport.connect();
    const consumer = transport.connect();
    attach(producer, 1, Role.PRODUCER);
    attach(consumer, 2, Role.CONSUMER);
    transport.pump();
    const got = record(consumer);
    producer.close();
    transport.pump();
    assert.deepEqual(got, ['901/7', '900/1']);
    assert.equal(driver.snapshot().leases.length, 1);
    assert.throws(() => attach(producer, 1, Role.PRODUCER), /closed/);
  });

  test('a client that answers inside its frame handler does not re-enter the driver', () => {
    const { transport, driver } = setup();
    const c = transport.connect();
    let answered = false;
    c.onFrame = () => {
      if (!answered) {
        answered = true;
        attach(c, 9, Role.CONSUMER); // queued for the next round of the pump
      }
    };
    attach(c, 8, Role.CONSUMER);
    transport.pump();
    assert.equal(driver.snapshot().leases.length, 2);
  });
});
