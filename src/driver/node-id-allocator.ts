/**
 * Node ids for leases (ATTACH-13, IDENTITY-08..12). A node id is held by one live lease and
 * released when the lease ends (issue 4). A client's last node id is remembered so that it gets
 * the same id back on reattach while nobody else took it; unlike the RI, which keeps that
 * reservation forever (a client cycling clientIds grows it without bound), the memory is capped
 * and the oldest reservations are forgotten first. 0 and 0xFFFFFFFF (the null value) are never
 * handed out. Every operation is O(1) except the cursor scan, which skips only taken ids.
 */
const NULL_NODE_ID = 0xffffffff;
const MAX_NODE_ID = 0xfffffffe;

export class NodeIdAllocator {
  /** nodeId → leaseId holding it. */
  private readonly held = new Map<number, number>();
  /** clientId → its last node id (insertion order = age, for eviction) ... */
  private readonly byClient = new Map<number, number>();
  /** ... and the reverse, so "is this id someone's?" is one lookup. */
  private readonly byId = new Map<number, number>();
  private cursor = 1;

  constructor(private readonly rememberLimit = 65_536) {}

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * The node id this attach would get, or -1 if `desired` is unavailable (REJECTED
   * "node_id unavailable"). Does not allocate; `take` does.
   */
  choose(clientId: number, desired: number | null): number {
    if (desired !== null) {
      if (desired === 0 || desired === NULL_NODE_ID) return -1;
      if (this.held.has(desired)) return -1;
      // Someone else's remembered id stays theirs while they may come back (IDENTITY-10).
      const owner = this.byId.get(desired);
      return owner === undefined || owner === clientId ? desired : -1;
    }
    const last = this.byClient.get(clientId);
    if (last !== undefined && !this.held.has(last)) return last;
    return this.scan();
  }

  take(clientId: number, nodeId: number, leaseId: number): void {
    this.held.set(nodeId, leaseId);
    this.forget(clientId);
    const previousOwner = this.byId.get(nodeId);
    if (previousOwner !== undefined) this.forget(previousOwner);
    this.byClient.set(clientId, nodeId);
    this.byId.set(nodeId, clientId);
    if (this.byClient.size > this.rememberLimit) {
      const oldest = this.byClient.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  release(nodeId: number, leaseId: number): void {
    if (this.held.get(nodeId) === leaseId) this.held.delete(nodeId);
  }

  private forget(clientId: number): void {
    const id = this.byClient.get(clientId);
    if (id === undefined) return;
    this.byClient.delete(clientId);
    if (this.byId.get(id) === clientId) this.byId.delete(id);
  }

  /** First id from the cursor that is neither held nor remembered (IDENTITY-11), or -1. */
  private scan(): number {
    let id = this.cursor;
    // At most (taken + 1) probes find a free id (pigeonhole); the bound is a safety net.
    const limit = this.held.size + this.byId.size + 1;
    for (let i = 0; i <= limit; i++) {
      if (!this.held.has(id) && !this.byId.has(id)) {
        this.cursor = id === MAX_NODE_ID ? 1 : id + 1;
        return id;
      }
      id = id === MAX_NODE_ID ? 1 : id + 1;
    }
    return -1;
  }
}
