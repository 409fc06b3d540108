/**
 * Node ids for leases (ATTACH-13, IDENTITY-08..12). A node id is held by one live lease and
 * released when the lease ends (issue 4). A client's last node id is remembered so that it gets
 * the same id back on reattach while nobody else took it; unlike the RI, which keeps that
 * reservation forever (a client cycling clientIds grows it without bound), the memory is capped
 * and the oldest reservations are forgotten first. 0 and 0xFFFFFFFF (the null value) are never
 * handed out.
 */
const NULL_NODE_ID = 0xffffffff;
const MAX_NODE_ID = 0xfffffffe;

export class NodeIdAllocator {
  /** nodeId → leaseId holding it. */
  private readonly held = new Map<number, number>();
  /** clientId → last node id (insertion order = age, for eviction). */
  private readonly remembered = new Map<number, number>();
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
    const last = this.remembered.get(clientId);
    if (desired !== null) {
      if (desired === 0 || desired === NULL_NODE_ID) return -1;
      if (this.held.has(desired)) return -1;
      // Someone else's remembered id is theirs while they may come back (IDENTITY-10).
      for (const [client, id] of this.remembered) if (id === desired && client !== clientId) return -1;
      return desired;
    }
    if (last !== undefined && !this.held.has(last)) return last;
    return this.scan();
  }

  take(clientId: number, nodeId: number, leaseId: number): void {
    this.held.set(nodeId, leaseId);
    this.remembered.delete(clientId);
    this.remembered.set(clientId, nodeId);
    if (this.remembered.size > this.rememberLimit) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }

  release(nodeId: number, leaseId: number): void {
    if (this.held.get(nodeId) === leaseId) this.held.delete(nodeId);
  }

  /** First id from the cursor that is neither held nor remembered (IDENTITY-11), or -1. */
  private scan(): number {
    const remembered = new Set(this.remembered.values());
    let id = this.cursor;
    for (let i = 0; i < MAX_NODE_ID; i++) {
      if (!this.held.has(id) && !remembered.has(id)) {
        this.cursor = id === MAX_NODE_ID ? 1 : id + 1;
        return id;
      }
      id = id === MAX_NODE_ID ? 1 : id + 1;
      if (i > this.held.size + remembered.size + 1) break;
    }
    // More ids are taken than were probed: only possible with ~4 billion leases.
    return -1;
  }
}
