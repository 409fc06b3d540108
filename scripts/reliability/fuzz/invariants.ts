/**
 * The driver invariants the fuzzer checks on every status document (docs/TRANSPORT.md §5) and
 * on every ShmPoolAnnounce it observes:
 *
 * - the driver is Running and its own code never threw (counters.driver.internalErrors = 0);
 * - at most one PRODUCER lease per stream (PRODUCER-01), one lease per client id (IDENTITY-03);
 * - every lease names a stream the driver knows, and each stream's machine agrees with the lease
 *   table: PRODUCER_ATTACHED exactly when a producer lease exists, producerClientId is that
 *   lease's client, `consumers` is the number of CONSUMER leases;
 * - a stream's epoch never decreases, across samples and across announces (EPOCH-06/08);
 * - once every client and fuzz connection has gone: no lease, no dynamic stream, no stream with
 *   a producer or consumers (leases die with their connection, TRANSPORT.md §4).
 *
 * A truncated document (more leases than one frame holds) skips the lease-table checks. Status
 * documents and announces must be checked in the order they arrived on their connection (the
 * driver's emission order): a document checked later than an announce that followed it would
 * compare a newer epoch with an older snapshot.
 */
import type { StatusDocument } from '../../../src/transport/status-document.js';

export class InvariantChecker {
  /** Status documents checked. */
  samples = 0;
  /** Individual assertions evaluated (each one passed unless listed in `violations`). */
  checks = 0;
  /** Announces whose epoch was checked. */
  announces = 0;
  truncatedSamples = 0;
  readonly violations: string[] = [];
  /** Highest epoch seen per stream, and where it was seen. */
  private readonly maxEpoch = new Map<number, { epoch: bigint; where: string }>();

  private expect(ok: boolean, what: () => string): void {
    this.checks++;
    if (!ok && this.violations.length < 100) this.violations.push(what());
  }

  /** EPOCH-06/08: a stream's epoch never goes back. */
  epoch(streamId: number, epoch: bigint, where: string): void {
    const seen = this.maxEpoch.get(streamId);
    this.expect(seen === undefined || epoch >= seen.epoch, () => `${where}: stream ${streamId} epoch went back to ${epoch} from ${seen?.epoch} (${seen?.where})`);
    if (seen === undefined || epoch > seen.epoch) this.maxEpoch.set(streamId, { epoch, where });
  }

  announce(streamId: number, epoch: bigint): void {
    this.announces++;
    this.epoch(streamId, epoch, `announce ${this.announces}`);
  }

  status(doc: StatusDocument, where: string): void {
    this.samples++;
    this.expect(doc.driver.state === 'Running', () => `${where}: driver state ${doc.driver.state}, expected Running`);
    this.expect((doc.counters.driver['internalErrors'] ?? 0) === 0, () => `${where}: the driver counted ${doc.counters.driver['internalErrors']} internal errors`);
    const streams = new Map(doc.streams.map((s) => [s.streamId, s]));
    for (const s of doc.streams) this.epoch(s.streamId, BigInt(s.epoch), `${where} status`);
    if (doc.truncated) {
      this.truncatedSamples++;
      return;
    }
    this.expect(doc.totals.leases === doc.leases.length, () => `${where}: totals.leases ${doc.totals.leases} but ${doc.leases.length} listed`);
    const producers = new Map<number, number>();
    const consumers = new Map<number, number>();
    const clients = new Set<number>();
    const leaseIds = new Set<number>();
    for (const l of doc.leases) {
      this.expect(!leaseIds.has(l.leaseId), () => `${where}: lease ${l.leaseId} listed twice`);
      leaseIds.add(l.leaseId);
      this.expect(!clients.has(l.clientId), () => `${where}: client ${l.clientId} holds two leases`);
      clients.add(l.clientId);
      this.expect(streams.has(l.streamId), () => `${where}: lease ${l.leaseId} names stream ${l.streamId}, which the driver does not list`);
      if (l.role === 'PRODUCER') {
        this.expect(!producers.has(l.streamId), () => `${where}: stream ${l.streamId} has two producer leases (${producers.get(l.streamId)} and ${l.clientId})`);
        producers.set(l.streamId, l.clientId);
      } else {
        consumers.set(l.streamId, (consumers.get(l.streamId) ?? 0) + 1);
      }
    }
    for (const s of doc.streams) {
      const producer = producers.get(s.streamId);
      this.expect((s.state === 'PRODUCER_ATTACHED') === (producer !== undefined), () => `${where}: stream ${s.streamId} is ${s.state} but ${producer === undefined ? 'no' : 'a'} producer lease exists`);
      this.expect(s.producerClientId === (producer ?? 0), () => `${where}: stream ${s.streamId} producerClientId ${s.producerClientId}, lease table says ${producer ?? 0}`);
      const n = consumers.get(s.streamId) ?? 0;
      this.expect(s.consumers === n, () => `${where}: stream ${s.streamId} counts ${s.consumers} consumers, lease table has ${n}`);
    }
  }

  /**
   * After every client left: nothing is held and dynamic streams are forgotten (STREAMID-09).
   * `doc` was checked by `status` already, when it arrived.
   */
  quiescent(doc: StatusDocument, where: string): void {
    this.expect(doc.totals.leases === 0, () => `${where}: ${doc.totals.leases} leases left after every client left: ${JSON.stringify(doc.leases.slice(0, 5))}`);
    for (const s of doc.streams) {
      this.expect(!s.dynamic, () => `${where}: dynamic stream ${s.streamId} outlived its last lease`);
      this.expect(s.state !== 'PRODUCER_ATTACHED' && s.consumers === 0, () => `${where}: stream ${s.streamId} still ${s.state} with ${s.consumers} consumers`);
    }
  }
}
