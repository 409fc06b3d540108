/**
 * Valid client → driver messages: the fuzzer's own lease traffic (attach, keepalive, detach with
 * the ids of leases it holds, so the driver's lease and stream state really changes) and the
 * seeds that the mutation, truncation and concatenation generators start from.
 */
import { HugepagesPolicy, PublishMode, Role } from '../../../src/sbe/index.js';
import {
  ATTACH,
  CONSUMER_HELLO,
  DETACH,
  encodeFuzzMessage,
  FRAME_DESCRIPTOR,
  KEEPALIVE,
  SHUTDOWN_REQUEST,
  STATUS_REQUEST,
  type FuzzMessage,
} from './frame-model.js';
import type { Rng } from './rng.js';

/** A lease the driver granted to one fuzz connection. */
export interface OwnLease {
  readonly leaseId: bigint;
  readonly streamId: number;
  readonly clientId: number;
  readonly role: number;
}

/** What a generator may know of, and tell, the fuzz connection it writes to. */
export interface SeedContext {
  readonly rng: Rng;
  /** The connection's live leases. */
  readonly leases: readonly OwnLease[];
  /** Streams valid attaches name (static ones; dynamic ones are asked for by id range). */
  readonly streams: readonly number[];
  /** The driver's dynamic stream id range, for EXISTING_OR_CREATE attaches. */
  readonly dynamicRange: readonly [number, number];
  /**
   * Whether another attach-shaped message may be built: the connection holds and has asked for
   * few enough leases. An attach that survives a mutation is granted too, and a connection's
   * close revokes all its leases in one go, so the cap bounds the driver's work per close.
   */
  canAttach(): boolean;
  /** A client id of the fuzzer's own range (never one a well-behaved client uses). */
  nextClientId(): number;
}

export interface Seed {
  readonly msg: FuzzMessage;
  readonly body: Uint8Array;
}

const ROLES = [Role.PRODUCER, Role.CONSUMER] as const;

/** A positive correlation id (any i64 is legal; positive keeps them readable in logs). */
function cid(rng: Rng): bigint {
  return rng.u64() & 0x7fff_ffff_ffff_ffffn;
}

function someLease(c: SeedContext, role?: number): OwnLease | undefined {
  const pool = role === undefined ? c.leases : c.leases.filter((l) => l.role === role);
  return pool.length === 0 ? undefined : c.rng.pick(pool);
}

/** A lease-shaped guess when the connection holds none (the driver must drop it). */
function fakeLease(c: SeedContext): OwnLease {
  return { leaseId: BigInt(c.rng.range(1, 1000)), streamId: c.rng.pick(c.streams), clientId: c.nextClientId(), role: c.rng.pick(ROLES) };
}

export function attachSeed(c: SeedContext): Seed {
  const { rng } = c;
  const dynamic = rng.chance(0.15);
  const streamId = dynamic ? (rng.chance(0.5) ? rng.range(c.dynamicRange[0], c.dynamicRange[1]) : rng.u32()) : rng.pick(c.streams);
  const publishMode = dynamic ? PublishMode.EXISTING_OR_CREATE : rng.pick([null, PublishMode.REQUIRE_EXISTING, PublishMode.EXISTING_OR_CREATE]);
  const body = encodeFuzzMessage(ATTACH, {
    correlationId: cid(rng),
    streamId: BigInt(streamId),
    clientId: BigInt(c.nextClientId()),
    role: BigInt(rng.pick(ROLES)),
    expectedLayoutVersion: BigInt(rng.pick([0, 1])),
    ...(publishMode === null ? {} : { publishMode: BigInt(publishMode) }),
    requireHugepages: BigInt(rng.chance(0.8) ? HugepagesPolicy.UNSPECIFIED : HugepagesPolicy.STANDARD),
    ...(rng.chance(0.1) ? { desiredNodeId: BigInt(rng.range(1, 64)) } : {}),
  });
  return { msg: ATTACH, body };
}

export function keepaliveSeed(c: SeedContext): Seed {
  const l = someLease(c) ?? fakeLease(c);
  const body = encodeFuzzMessage(KEEPALIVE, {
    leaseId: l.leaseId,
    streamId: BigInt(l.streamId),
    clientId: BigInt(l.clientId),
    role: BigInt(l.role),
    clientTimestampNs: c.rng.u64(),
  });
  return { msg: KEEPALIVE, body };
}

/** A detach of `lease` (default: one of the connection's, or a guess). */
export function detachSeed(c: SeedContext, lease: OwnLease = someLease(c) ?? fakeLease(c)): Seed {
  const body = encodeFuzzMessage(DETACH, {
    correlationId: cid(c.rng),
    leaseId: lease.leaseId,
    streamId: BigInt(lease.streamId),
    clientId: BigInt(lease.clientId),
    role: BigInt(lease.role),
  });
  return { msg: DETACH, body };
}

/**
 * A shutdown request with a wrong token: the driver's token is 32 random bytes the fuzzer never
 * sees, so every one must be ignored and counted (shutdownRequestsIgnored).
 */
export function shutdownSeed(c: SeedContext): Seed {
  const { rng } = c;
  const body = encodeFuzzMessage(
    SHUTDOWN_REQUEST,
    { correlationId: cid(rng), reason: BigInt(rng.range(0, 2)) },
    { token: rng.ascii(rng.range(0, 48)), errorMessage: rng.ascii(rng.chance(0.05) ? rng.range(1025, 4096) : rng.range(0, 64)) },
  );
  return { msg: SHUTDOWN_REQUEST, body };
}

export function helloSeed(c: SeedContext): Seed {
  const { rng } = c;
  const l = someLease(c, Role.CONSUMER) ?? fakeLease(c);
  const wantDesc = rng.chance(0.5);
  const wantCtrl = rng.chance(0.5);
  const enc = new TextEncoder();
  const body = encodeFuzzMessage(
    CONSUMER_HELLO,
    {
      streamId: BigInt(l.streamId),
      consumerId: BigInt(l.clientId),
      supportsShm: 1n,
      supportsProgress: BigInt(rng.range(0, 1)),
      mode: BigInt(rng.range(1, 2)),
      maxRateHz: BigInt(rng.range(0, 1000)),
      expectedLayoutVersion: BigInt(rng.range(0, 1)),
      descriptorStreamId: wantDesc ? BigInt(rng.range(1, 0xffff)) : 0n,
      controlStreamId: wantCtrl ? BigInt(rng.range(1, 0xffff)) : 0n,
    },
    { descriptorChannel: wantDesc ? enc.encode('unix:/tmp/fuzz-desc.sock') : new Uint8Array(0), controlChannel: wantCtrl ? enc.encode('unix:/tmp/fuzz-ctrl.sock') : new Uint8Array(0) },
  );
  return { msg: CONSUMER_HELLO, body };
}

/** A FrameDescriptor: relayed when the connection holds the stream's producer lease, dropped otherwise (OWN-08). */
export function descriptorSeed(c: SeedContext): Seed {
  const { rng } = c;
  const l = someLease(c, Role.PRODUCER) ?? fakeLease(c);
  const body = encodeFuzzMessage(FRAME_DESCRIPTOR, {
    streamId: BigInt(l.streamId),
    epoch: rng.u64(),
    seq: BigInt(rng.u32()),
    timestampNs: rng.u64(),
    metaVersion: BigInt(rng.range(0, 3)),
    traceId: rng.u64(),
  });
  return { msg: FRAME_DESCRIPTOR, body };
}

export function statusSeed(c: SeedContext): Seed {
  return { msg: STATUS_REQUEST, body: encodeFuzzMessage(STATUS_REQUEST, { correlationId: cid(c.rng) }) };
}

/** Every seed builder by kind. */
export const SEEDS = {
  attach: attachSeed,
  keepalive: keepaliveSeed,
  detach: (c: SeedContext): Seed => detachSeed(c),
  shutdown: shutdownSeed,
  hello: helloSeed,
  descriptor: descriptorSeed,
  status: statusSeed,
} as const;

export type SeedKind = keyof typeof SEEDS;

/**
 * A valid message of any client → driver kind. Status requests are rare: each answer is a JSON
 * document of the whole lease table, far costlier than anything else the driver does.
 */
export function anySeed(c: SeedContext): Seed {
  const kind = c.rng.weighted<SeedKind>([
    ['attach', c.canAttach() ? 3 : 0],
    ['keepalive', 4],
    ['detach', 3],
    ['shutdown', 1],
    ['hello', 2],
    ['descriptor', 2],
    ['status', 0.02],
  ]);
  return SEEDS[kind](c);
}
