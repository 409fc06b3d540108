/**
 * The fuzzer's one source of randomness: test/client's seeded mulberry32, so a run is replayed
 * from its printed seed (the byte stream of each connection is a function of the seed; only the
 * interleaving with the driver's answers depends on timing).
 */
import { seededRandom } from '../../../test/client/client-env.js';

export class Rng {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** An integer in [0, n) for n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  u32(): number {
    return this.int(0x1_0000_0000);
  }

  /** Any 64-bit pattern. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** Printable ASCII (var-data strings). */
  ascii(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = 0x20 + this.int(95);
    return out;
  }

  /** A generator's name by weight. */
  weighted<T extends string>(table: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of table) total += w;
    let r = this.next() * total;
    for (const [name, w] of table) {
      r -= w;
      if (r < 0) return name;
    }
    return (table[table.length - 1] as readonly [T, number])[0];
  }
}
