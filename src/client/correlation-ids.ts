/**
 * Client ids and correlation ids (IDENTITY-04, CLIENT-08).
 *
 * CLIENT-08 (RI scheme): seed = `(clientId << 32) | random non-zero u32`; each id after the
 * first increments the low 32 bits, skipping 0, with the high half fixed. A random low half keeps
 * ids of this run apart from stale responses of an earlier run with the same clientId.
 * `correlationId` is an i64 on the wire, so a clientId ≥ 2^31 makes the value negative: it is
 * the same 64 bits, read as signed (BigInt.asIntN).
 */
import type { RandomSource } from './scheduler.js';

const TWO_32 = 4294967296;

/** A random u32 other than 0 (0 is the auto-assign sentinel, IDENTITY-04; RI: 0 → 1). */
export function randomNonZeroU32(random: RandomSource): number {
  const v = Math.floor(random() * TWO_32) >>> 0;
  return v === 0 ? 1 : v;
}

export class CorrelationIds {
  private high = 0n;
  private low = 0;

  constructor(
    clientId: number,
    private readonly random: RandomSource,
  ) {
    this.reseed(clientId);
  }

  /** New clientId (IDENTITY-05: the RI resets its correlation seed with the new id). */
  reseed(clientId: number): void {
    this.high = BigInt(clientId >>> 0) << 32n;
    this.low = randomNonZeroU32(this.random);
  }

  /** The next id: the seed first, then low half + 1 (mod 2^32, 0 skipped). */
  next(): bigint {
    const id = BigInt.asIntN(64, this.high | BigInt(this.low));
    this.low = (this.low + 1) >>> 0;
    if (this.low === 0) this.low = 1;
    return id;
  }
}
