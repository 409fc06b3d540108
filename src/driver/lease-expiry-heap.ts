/**
 * Lease deadlines in a binary min-heap of (deadline, leaseId) pairs in typed arrays.
 *
 * Keepalives do not touch the heap: they only move the lease's own `expiryNs` later. A check
 * pops entries whose recorded deadline has passed; a lease whose real expiry moved on is pushed
 * back once with its new deadline. So a check costs O((expired + re-keyed) · log n) — re-keying
 * happens at most once per lease lifetime, not per keepalive — and never scans all leases
 * (issue 4: O(expired + log n) per check). Growth doubles the arrays; steady state allocates
 * nothing.
 */
export class LeaseExpiryHeap {
  private keys = new Float64Array(64);
  private ids = new Float64Array(64);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The earliest recorded deadline, or Infinity. */
  peekDeadline(): number {
    return this.n === 0 ? Infinity : (this.keys[0] as number);
  }

  peekId(): number {
    return this.ids[0] as number;
  }

  push(deadline: number, id: number): void {
    if (this.n === this.keys.length) this.grow();
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = this.keys[p] as number;
      if (pk <= deadline) break;
      this.keys[i] = pk;
      this.ids[i] = this.ids[p] as number;
      i = p;
    }
    this.keys[i] = deadline;
    this.ids[i] = id;
  }

  /** Removes the minimum (call peek first). */
  pop(): void {
    const last = --this.n;
    if (last <= 0) return;
    const k = this.keys[last] as number;
    const id = this.ids[last] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && (this.keys[c + 1] as number) < (this.keys[c] as number)) c++;
      if ((this.keys[c] as number) >= k) break;
      this.keys[i] = this.keys[c] as number;
      this.ids[i] = this.ids[c] as number;
      i = c;
    }
    this.keys[i] = k;
    this.ids[i] = id;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Float64Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}
