/**
 * `npm run example`: runs the seed's three machines (examples/driver-sketch.ts) through a short
 * life — a stream provisioned, a producer attached and lost, a consumer keeping its lease, a drain
 * and shutdown — and prints what each machine did. The real driver's machines are in
 * src/driver/machines/.
 */
import { DriverHsm, LeaseHsm, StreamHsm, type DriverState } from './driver-sketch.js';

const SEC = 1_000_000_000n;
const driver: DriverState = { log: [], nowNs: 0n, leaseIntervalNs: 3n * SEC, accepting: false };
const show = (title: string): void => {
  console.log(`\n# ${title}`);
  for (const line of driver.log) console.log(`  ${line}`);
  driver.log.length = 0;
};

const d = DriverHsm.create(driver).start();
show(`driver started: ${d.state}`);

const stream = StreamHsm.create({ driver, streamId: 10_000, epoch: 0n }).start();
stream.dispatch('Provision');
show(`stream provisioned: ${stream.state}`);

d.dispatch('Attach', 'producer-1');
const producer = LeaseHsm.create({ driver, leaseId: 1n, expiryNs: 0n }).start();
producer.dispatch('AttachOk');
stream.dispatch('ProducerAttach');
const consumer = LeaseHsm.create({ driver, leaseId: 2n, expiryNs: 0n }).start();
consumer.dispatch('AttachOk');
show(`producer lease ${producer.state}, consumer lease ${consumer.state}, stream ${stream.state}`);

for (let t = 1n; t <= 4n; t++) {
  d.dispatch('Tick', t * SEC);
  consumer.dispatch('Keepalive', t * SEC); // the producer has gone quiet
  if (t * SEC >= producer.ctx.expiryNs && producer.state === 'ACTIVE') {
    producer.dispatch('LeaseTimeout', t * SEC);
    stream.dispatch('ProducerLeaseLost', t * SEC);
  }
}
show(`after 4 s: producer ${producer.state}, consumer ${consumer.state} (expires at ${consumer.ctx.expiryNs} ns), stream ${stream.state}`);

d.dispatch('ShutdownRequested');
d.dispatch('Attach', 'late-client');
consumer.dispatch('Detach', 5n * SEC);
d.dispatch('ShutdownTimeout');
show(`shutdown: driver ${d.state}, consumer ${consumer.state}`);
