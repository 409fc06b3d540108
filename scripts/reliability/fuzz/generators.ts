/**
 * The fuzz generators and the batches they fill. A batch is what one connection writes at once:
 * many length-prefixed frames back to back (docs/TRANSPORT.md §2 says a read may hold many), and
 * sometimes, last, one frame that breaks the framing. Framing breakers are always last because
 * the driver closes the connection at a bad prefix (nothing after it is read) and a cut frame
 * swallows whatever follows; the connection is then closed and the fuzzer reconnects.
 *
 * Well-framed generators (the driver must count and drop, or answer, and keep the connection):
 *   random-bytes   random body of 8..64 bytes (sometimes up to the 64 KiB maximum)
 *   random-header  a header naming a real or random schema/template/version + random body
 *   mutated        a valid client → driver message with one mutation (mutations.ts)
 *   valid-lease    the connection's own attach / keepalive / detach, valid
 *   valid-other    a valid hello, descriptor, wrong-token shutdown request or status request
 *   truncated      a valid message cut short, framed with its shorter length
 *   concatenated   2..4 valid or mutated messages under one length prefix
 * Framing breakers (terminal):
 *   bad-prefix     a length prefix of 0, 1..7, > 64 KiB or 0xFFFFFFFF
 *   raw-bytes      unframed random bytes
 *   cut-frame      a valid prefix whose body stops short, then end of stream
 */
import { LENGTH_PREFIX_BYTES, MAX_FRAME_BYTES, MIN_FRAME_BYTES } from '../../../src/transport/length-prefix-framing.js';
import { ATTACH, writeLE } from './frame-model.js';
import { mutate } from './mutations.js';
import { anySeed, attachSeed, detachSeed, keepaliveSeed, SEEDS, type OwnLease, type Seed, type SeedContext, type SeedKind } from './seed-frames.js';

export const FRAMED_GENERATORS = ['random-bytes', 'random-header', 'mutated', 'valid-lease', 'valid-other', 'truncated', 'concatenated'] as const;
export const TERMINAL_GENERATORS = ['bad-prefix', 'raw-bytes', 'cut-frame'] as const;
export type FramedGenerator = (typeof FRAMED_GENERATORS)[number];
export type TerminalGenerator = (typeof TERMINAL_GENERATORS)[number];

const FRAMED_WEIGHTS: readonly (readonly [FramedGenerator, number])[] = [
  ['random-bytes', 10],
  ['random-header', 10],
  ['mutated', 40],
  ['valid-lease', 16],
  ['valid-other', 6],
  ['truncated', 10],
  ['concatenated', 8],
];

/** The connection a batch is built for. */
export interface FuzzTarget extends SeedContext {
  /** An attach-shaped body is about to be sent: remember its correlation id to track the lease. */
  noteAttach(body: Uint8Array): void;
  /** A valid detach of this lease is about to be sent. */
  forget(lease: OwnLease): void;
}

/** Counts by name (generators, and `mutated:<kind>`). */
export type Tally = Map<string, number>;

export function bump(t: Tally, key: string, by = 1): void {
  t.set(key, (t.get(key) ?? 0) + by);
}

export interface Batch {
  readonly bytes: Uint8Array;
  /** Length-prefixed units written (a terminal one included). */
  readonly frames: number;
  /** The framing breaker at the end, if any: the connection must be closed after this batch. */
  readonly terminal: TerminalGenerator | null;
}

function framed(body: Uint8Array, prefix = body.length): Uint8Array {
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + body.length);
  writeLE(out, 0, LENGTH_PREFIX_BYTES, BigInt(prefix));
  out.set(body, LENGTH_PREFIX_BYTES);
  return out;
}

function isAttach(body: Uint8Array): boolean {
  return body.length >= 6 && ((body[2] as number) | ((body[3] as number) << 8)) === ATTACH.templateId && ((body[4] as number) | ((body[5] as number) << 8)) === ATTACH.schemaId;
}

function mutated(t: FuzzTarget, tally: Tally): Uint8Array {
  const { body, kind } = mutate(t.rng, anySeed(t));
  bump(tally, `mutated:${kind}`);
  if (isAttach(body)) t.noteAttach(body);
  return body;
}

function validLease(t: FuzzTarget): Seed {
  const { rng, leases } = t;
  if (t.canAttach() && (leases.length === 0 || rng.chance(0.3))) {
    const s = attachSeed(t);
    t.noteAttach(s.body);
    return s;
  }
  const lease = leases.length === 0 ? undefined : rng.pick(leases);
  if (lease === undefined || rng.chance(0.65)) return keepaliveSeed(t);
  t.forget(lease);
  return detachSeed(t, lease);
}

function validOther(t: FuzzTarget): Seed {
  return SEEDS[t.rng.weighted<SeedKind>([['hello', 4], ['descriptor', 4], ['shutdown', 2], ['status', 0.05]])](t);
}

function framedItem(t: FuzzTarget, g: FramedGenerator, tally: Tally): Uint8Array {
  const { rng } = t;
  switch (g) {
    case 'random-bytes':
      return framed(rng.bytes(rng.chance(0.002) ? rng.range(MIN_FRAME_BYTES, MAX_FRAME_BYTES) : rng.range(MIN_FRAME_BYTES, 64)));
    case 'random-header': {
      const body = rng.bytes(rng.range(MIN_FRAME_BYTES, 96));
      writeLE(body, 2, 2, BigInt(rng.range(0, 12)));
      writeLE(body, 4, 2, BigInt(rng.pick([900, 901, 0x7470, rng.int(0x10000)])));
      writeLE(body, 6, 2, BigInt(rng.pick([0, 1, 1, 2, rng.int(0x10000)])));
      if (rng.chance(0.5)) writeLE(body, 0, 2, BigInt(body.length - 8));
      if (isAttach(body)) t.noteAttach(body);
      return framed(body);
    }
    case 'mutated':
      return framed(mutated(t, tally));
    case 'valid-lease':
      return framed(validLease(t).body);
    case 'valid-other':
      return framed(validOther(t).body);
    case 'truncated': {
      const { body } = anySeed(t);
      return framed(body.subarray(0, rng.range(MIN_FRAME_BYTES, body.length - 1)));
    }
    case 'concatenated': {
      const parts: Uint8Array[] = [];
      const n = rng.range(2, 4);
      for (let i = 0; i < n; i++) {
        if (rng.chance(0.5)) {
          parts.push(mutated(t, tally));
        } else {
          const s = anySeed(t);
          if (isAttach(s.body)) t.noteAttach(s.body);
          parts.push(s.body);
        }
      }
      return framed(Buffer.concat(parts));
    }
  }
}

function terminalItem(t: FuzzTarget, g: TerminalGenerator): Uint8Array {
  const { rng } = t;
  switch (g) {
    case 'bad-prefix': {
      const prefix = rng.pick([0, rng.range(1, MIN_FRAME_BYTES - 1), MAX_FRAME_BYTES + 1, rng.range(MAX_FRAME_BYTES + 1, 0x7fffffff), 0x7fffffff, 0xffffffff]);
      const out = new Uint8Array(LENGTH_PREFIX_BYTES + rng.range(0, 64));
      writeLE(out, 0, LENGTH_PREFIX_BYTES, BigInt(prefix));
      out.set(rng.bytes(out.length - LENGTH_PREFIX_BYTES), LENGTH_PREFIX_BYTES);
      return out;
    }
    case 'raw-bytes':
      return rng.bytes(rng.range(1, 256));
    case 'cut-frame': {
      const { body } = anySeed(t);
      return framed(body, body.length).subarray(0, rng.range(1, LENGTH_PREFIX_BYTES + body.length - 1));
    }
  }
}

/** `frames` length-prefixed units (≥ 1): with probability `terminalChance` the last is a framing breaker. */
export function buildBatch(t: FuzzTarget, frames: number, terminalChance: number, tally: Tally): Batch {
  const terminal: TerminalGenerator | null = t.rng.chance(terminalChance) ? t.rng.pick(TERMINAL_GENERATORS) : null;
  const framedCount = terminal === null ? frames : frames - 1;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < framedCount; i++) {
    const g = t.rng.weighted(FRAMED_WEIGHTS);
    bump(tally, g);
    parts.push(framedItem(t, g, tally));
  }
  if (terminal !== null) {
    bump(tally, terminal);
    parts.push(terminalItem(t, terminal));
  }
  return { bytes: Buffer.concat(parts), frames, terminal };
}
