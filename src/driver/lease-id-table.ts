/**
 * Lease id → entry: the lookup every keepalive makes (issue 5, keepalives/s). A `Map` lookup was
 * a tenth of the driver process's time per keepalive (its hash-table walk, V8's
 * FindOrderedHashMapEntry); lease ids are integers the driver hands out upward from 1, so an
 * open-addressing table indexed by `id & mask` finds one in one or two probes, with the keys in
 * one Float64Array (ids up to 2^53).
 *
 * Invariants: the capacity is a power of two and the table is at most 3/4 full, counting
 * deleted slots, so every probe sequence ends at an empty slot; key 0 marks an empty slot (no
 * lease has id 0, IDENTITY-01), -1 a deleted one. Only `set` allocates (when it grows).
 */
const EMPTY = 0;
const DELETED = -1;

export class LeaseIdTable<T> {
  private keys = new Float64Array(64);
  private vals: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  private mask = 63;
  private live = 0;
  /** Live plus deleted slots. */
  private used = 0;

  get size(): number {
    return this.live;
  }

  get(id: number): T | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = id & mask; ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) return this.vals[i];
      if (k === EMPTY) return undefined;
    }
  }

  /** Adds or replaces. `id` must be a positive safe integer. */
  set(id: number, value: T): void {
    if (!(Number.isSafeInteger(id) && id > 0)) throw new RangeError(`lease id ${id} is not a positive safe integer`);
    const at = this.find(id);
    if (at >= 0) {
      this.vals[at] = value;
      return;
    }
    if ((this.used + 1) * 4 > this.keys.length * 3) this.rehash(this.live + 1 > this.keys.length / 2 ? this.keys.length * 2 : this.keys.length);
    let i = id & this.mask;
    while ((this.keys[i] as number) > 0) i = (i + 1) & this.mask;
    if (this.keys[i] === EMPTY) this.used++;
    this.keys[i] = id;
    this.vals[i] = value;
    this.live++;
  }

  delete(id: number): boolean {
    const at = this.find(id);
    if (at < 0) return false;
    this.keys[at] = DELETED;
    this.vals[at] = undefined;
    this.live--;
    return true;
  }

  /** Every entry in id order (= attach order): status and connection close, not hot paths. */
  values(): T[] {
    const ids: number[] = [];
    for (let i = 0; i < this.keys.length; i++) if ((this.keys[i] as number) > 0) ids.push(this.keys[i] as number);
    ids.sort((a, b) => a - b);
    return ids.map((id) => this.get(id) as T);
  }

  private find(id: number): number {
    const mask = this.mask;
    for (let i = id & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i] as number;
      if (k === id) return i;
      if (k === EMPTY) return -1;
    }
  }

  /** Re-inserts the live entries into `capacity` slots (drops deleted markers). */
  private rehash(capacity: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(capacity);
    this.vals = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.used = this.live;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j] as number;
      if (k <= 0) continue;
      let i = k & this.mask;
      while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.vals[i] = oldVals[j];
    }
  }
}
