/**
 * Who holds which lease in the soak: one producer on each of `streams` distinct dynamic streams,
 * every other client a consumer, spread round-robin over the same streams (so each stream has
 * one producer and many consumers, as in a real deployment), and the clients dealt round-robin
 * to `fleets` processes so each process holds a mix. A plan travels to its fleet process as
 * text: comma-separated `p<stream>` / `c<stream>`.
 */
import type { LeaseRole } from '../../src/client/index.js';

export interface PlannedClient {
  readonly streamId: number;
  readonly role: LeaseRole;
}

export function buildPlans(clients: number, streams: number, fleets: number, firstStreamId: number): PlannedClient[][] {
  if (streams < 1 || streams > clients) throw new RangeError(`streams must be 1..clients (${clients}), got ${streams}`);
  if (fleets < 1 || fleets > clients) throw new RangeError(`fleets must be 1..clients (${clients}), got ${fleets}`);
  const plans: PlannedClient[][] = Array.from({ length: fleets }, () => []);
  for (let i = 0; i < clients; i++) {
    const client: PlannedClient = { streamId: firstStreamId + (i % streams), role: i < streams ? 'producer' : 'consumer' };
    (plans[i % fleets] as PlannedClient[]).push(client);
  }
  return plans;
}

export function formatPlan(plan: readonly PlannedClient[]): string {
  return plan.map((c) => `${c.role === 'producer' ? 'p' : 'c'}${c.streamId}`).join(',');
}

export function parsePlan(text: string): PlannedClient[] {
  if (text === '') return [];
  return text.split(',').map((entry) => {
    const streamId = Number(entry.slice(1));
    const role = entry[0] === 'p' ? 'producer' : entry[0] === 'c' ? 'consumer' : null;
    if (role === null || !Number.isInteger(streamId) || streamId <= 0) throw new RangeError(`bad plan entry ${JSON.stringify(entry)}`);
    return { streamId, role };
  });
}
