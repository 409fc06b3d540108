/**
 * The JSON document of a StatusResponse (docs/TRANSPORT.md §5): the driver's snapshot made
 * JSON-safe (bigints and nanosecond timestamps as decimal strings) plus the transport's counters.
 * One response frame holds at most MAX_STATUS_DOCUMENT_BYTES, so a driver with very many leases
 * answers with the first ones and `truncated: true` (the totals are always complete).
 */
import type { DriverSnapshot } from '../driver/driver.js';
import { MAX_STATUS_DOCUMENT_BYTES } from './admin-codec.js';
import { processFigures, type ProcessFigures } from './process-figures.js';

export interface StatusStream {
  readonly streamId: number;
  readonly state: string;
  /** u64 epoch, decimal. */
  readonly epoch: string;
  readonly producerClientId: number;
  readonly consumers: number;
  readonly dynamic: boolean;
  readonly headerUri: string | null;
  readonly poolUris: readonly string[];
}

export interface StatusLease {
  readonly leaseId: number;
  readonly clientId: number;
  readonly role: 'PRODUCER' | 'CONSUMER';
  readonly streamId: number;
  readonly nodeId: number;
  /** Monotonic-clock deadline (ns, decimal). */
  readonly expiryNs: string;
  /** Milliseconds from the snapshot to the deadline (negative once overdue). */
  readonly expiresInMs: number;
  /** The control connection that attached it. */
  readonly connection: number;
}

export interface StatusDocument {
  readonly driver: {
    readonly state: string;
    readonly instanceId: string;
    readonly namespace: string;
    readonly channel: string;
    readonly pid: number;
    readonly uptimeMs: number;
  };
  readonly totals: { readonly streams: number; readonly leases: number; readonly connections: number };
  readonly streams: readonly StatusStream[];
  readonly leases: readonly StatusLease[];
  readonly counters: { readonly driver: Readonly<Record<string, number>>; readonly transport: Readonly<Record<string, number>> };
  /** The serving process's memory, CPU time and event-loop delay (src/transport/process-figures.ts). */
  readonly process: ProcessFigures;
  /** True when streams or leases were cut to fit one frame (totals still count them all). */
  readonly truncated: boolean;
}

export interface StatusContext {
  readonly snapshot: DriverSnapshot;
  readonly nowNs: number;
  readonly instanceId: string;
  readonly namespace: string;
  readonly channel: string;
  readonly uptimeMs: number;
  readonly connections: number;
  readonly transportCounters: Readonly<Record<string, number>>;
  /** Default: this process's figures now (`processFigures()`); the server passes none. */
  readonly process?: ProcessFigures;
}

export function buildStatusDocument(c: StatusContext): StatusDocument {
  const s = c.snapshot;
  return {
    driver: { state: s.state, instanceId: c.instanceId, namespace: c.namespace, channel: c.channel, pid: process.pid, uptimeMs: Math.round(c.uptimeMs) },
    totals: { streams: s.streams.length, leases: s.leases.length, connections: c.connections },
    streams: s.streams.map((st) => ({
      streamId: st.streamId,
      state: st.state,
      epoch: st.epoch.toString(10),
      producerClientId: st.producerClientId,
      consumers: st.consumers,
      dynamic: st.dynamic,
      headerUri: st.headerUri,
      poolUris: [...st.poolUris],
    })),
    leases: s.leases.map((l) => ({
      leaseId: l.leaseId,
      clientId: l.clientId,
      role: l.role,
      streamId: l.streamId,
      nodeId: l.nodeId,
      expiryNs: BigInt(Math.floor(l.expiryNs)).toString(10),
      expiresInMs: Math.round((l.expiryNs - c.nowNs) / 1e6),
      connection: l.connection,
    })),
    counters: { driver: s.counters, transport: c.transportCounters },
    process: c.process ?? processFigures(),
    truncated: false,
  };
}

/** The document as JSON that fits one frame: leases, then streams, are cut by halves until it does. */
export function statusJson(doc: StatusDocument, maxBytes = MAX_STATUS_DOCUMENT_BYTES): string {
  let d = doc;
  for (;;) {
    const json = JSON.stringify(d);
    if (Buffer.byteLength(json, 'utf8') <= maxBytes) return json;
    if (d.leases.length > 0) d = { ...d, leases: d.leases.slice(0, d.leases.length >> 1), truncated: true };
    else if (d.streams.length > 0) d = { ...d, streams: d.streams.slice(0, d.streams.length >> 1), truncated: true };
    else return JSON.stringify({ ...d, counters: { driver: {}, transport: {} }, truncated: true });
  }
}
