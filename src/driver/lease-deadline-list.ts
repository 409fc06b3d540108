/**
 * Lease deadlines in refresh order: an intrusive doubly-linked list (issue 4: expiry checking
 * costs O(expired + log n) per check, never a scan of all leases — here O(expired + 1)).
 *
 * Invariant: every lease has the same lifetime L (interval × grace, KEEPALIVE-06) and the
 * driver's clock never goes backwards, so a lease refreshed at time t expires at t + L, later
 * than or equal to every lease refreshed before it. Deadline order is therefore refresh order:
 * a keepalive moves its lease to the tail in O(1), the head is always the earliest deadline,
 * and a check pops due leases from the head. Callers keep the invariant by never giving a
 * lease an expiry earlier than the tail's (see `Driver`). Nothing here allocates.
 */
export interface DeadlineEntry {
  expiryNs: number;
  prev: DeadlineEntry | null;
  next: DeadlineEntry | null;
  /** True while linked. */
  linked: boolean;
}

export class LeaseDeadlineList<T extends DeadlineEntry> {
  private head: T | null = null;
  private tail: T | null = null;

  /** The lease with the earliest deadline, or null. */
  first(): T | null {
    return this.head;
  }

  /** The latest deadline so far (a new or refreshed lease must not expire before it); 0 if none. */
  latestExpiryNs(): number {
    const t = this.tail;
    return t === null ? 0 : t.expiryNs;
  }

  /** Links `item` as the newest (its expiry must be >= every linked expiry). */
  append(item: T): void {
    item.prev = this.tail;
    item.next = null;
    if (this.tail === null) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    item.linked = true;
  }

  /** After a keepalive: the refreshed lease becomes the newest. */
  moveToTail(item: T): void {
    if (!item.linked || this.tail === item) return;
    this.remove(item);
    this.append(item);
  }

  remove(item: T): void {
    if (!item.linked) return;
    const { prev, next } = item;
    if (prev === null) this.head = next as T | null;
    else prev.next = next;
    if (next === null) this.tail = prev as T | null;
    else next.prev = prev;
    item.prev = null;
    item.next = null;
    item.linked = false;
  }
}
