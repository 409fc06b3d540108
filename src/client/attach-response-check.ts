/**
 * Validation of what the driver grants (CLIENT-01..05, ATTACH-03..05, ANNOUNCE-03): every OK
 * ShmAttachResponse and every ShmPoolAnnounce is checked before anything in it is used. A
 * failure throws ClientProtocolError naming the rule; the caller drops the message (fail closed,
 * CLIENT-06) and counts it.
 */
import { parseRegionUri } from '../shm/region-uri.js';
import { HEADER_SLOT_BYTES } from '../shm/superblock-io.js';
import type { ShmAttachResponseDecoder } from '../sbe/index.js';
import { ClientProtocolError } from './client-errors.js';

export interface RegionInfo {
  /** The URI exactly as the driver sent it (authoritative, OWN-03). */
  readonly uri: string;
  /** Its `path` (parsed per SHM_LAYOUT §8; not canonicalised). */
  readonly path: string;
  readonly requireHugepages: boolean;
}

export interface HeaderRegion extends RegionInfo {
  readonly nslots: number;
  readonly slotBytes: number;
}

export interface PoolRegion extends RegionInfo {
  readonly poolId: number;
  readonly nslots: number;
  readonly strideBytes: number;
}

/** The regions of one stream epoch. */
export interface Regions {
  readonly header: HeaderRegion;
  readonly pools: readonly PoolRegion[];
}

/** The validated content of an OK attach response. */
export interface AttachGrant {
  readonly leaseId: bigint;
  /** CLIENT-17: the hard keepalive deadline, driver monotonic ns; null when the driver sets none (ATTACH-08). */
  readonly expiryNs: bigint | null;
  /** The driver's stream id, adopted (CLIENT-16, STREAMID-08). */
  readonly streamId: number;
  readonly epoch: bigint;
  readonly layoutVersion: number;
  /** ATTACH-13: optional. */
  readonly nodeId: number | null;
  readonly regions: Regions;
}

/** The group cursor shape shared by the attach response and the announce codecs. */
export interface PoolsCursor {
  hasNext(): boolean;
  next(): PoolEntry;
}
interface PoolEntry {
  poolId(): number;
  poolNslots(): number;
  strideBytes(): number;
  regionUri(): string;
}

function region(uri: string, what: string): RegionInfo {
  // CLIENT-02: absent/empty (or blank) URIs are protocol errors; CLIENT-05: then the §8 grammar.
  if (uri.trim() === '') throw new ClientProtocolError('CLIENT-02', `${what} URI is empty`);
  try {
    const parsed = parseRegionUri(uri);
    return { uri, path: parsed.path, requireHugepages: parsed.requireHugepages };
  } catch (err) {
    throw new ClientProtocolError('CLIENT-05', `${what} URI is invalid: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Checks a region set (header + pools) as an attach response or an announce carries it. */
export function checkRegions(headerNslots: number, headerSlotBytes: number, headerUri: string, pools: PoolsCursor): Regions {
  if (headerSlotBytes !== HEADER_SLOT_BYTES) {
    throw new ClientProtocolError('CLIENT-03', `headerSlotBytes is ${headerSlotBytes}, must be ${HEADER_SLOT_BYTES}`);
  }
  const header: HeaderRegion = { ...region(headerUri, 'header region'), nslots: headerNslots, slotBytes: headerSlotBytes };
  const out: PoolRegion[] = [];
  while (pools.hasNext()) {
    const p = pools.next();
    const poolId = p.poolId();
    const nslots = p.poolNslots();
    // CLIENT-04 / ATTACH-04: every pool has as many slots as the header ring.
    if (nslots !== headerNslots) throw new ClientProtocolError('CLIENT-04', `pool ${poolId} has ${nslots} slots, header ring ${headerNslots}`);
    out.push({ ...region(p.regionUri(), `pool ${poolId}`), poolId, nslots, strideBytes: p.strideBytes() });
  }
  if (out.length === 0) throw new ClientProtocolError('CLIENT-03', 'no payload pools');
  return { header, pools: out };
}

function required<T>(value: T | null, field: string): T {
  if (value === null) throw new ClientProtocolError('CLIENT-01', `OK response without ${field}`);
  return value;
}

/** Validates a wrapped OK ShmAttachResponse and returns what it grants; throws ClientProtocolError. */
export function checkAttachResponse(r: ShmAttachResponseDecoder): AttachGrant {
  // CLIENT-01 / ATTACH-03: required on OK, all non-null.
  const leaseId = required(r.leaseId(), 'leaseId');
  const streamId = required(r.streamId(), 'streamId');
  const epoch = required(r.epoch(), 'epoch');
  const layoutVersion = required(r.layoutVersion(), 'layoutVersion');
  const headerNslots = required(r.headerNslots(), 'headerNslots');
  const headerSlotBytes = required(r.headerSlotBytes(), 'headerSlotBytes');
  const regions = checkRegions(headerNslots, headerSlotBytes, r.headerRegionUri(), r.payloadPools());
  return { leaseId, expiryNs: r.leaseExpiryTimestampNs(), streamId, epoch, layoutVersion, nodeId: r.nodeId(), regions };
}
