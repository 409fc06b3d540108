/**
 * One mutation of a valid message: a field (random, boundary, enum and bogus-enum, null), the
 * header (blockLength, templateId, schemaId, version), a var-data length, or a byte. The kind is
 * returned so the figures can count each.
 */
import { MESSAGE_HEADER_LENGTH, VAR_DATA_LENGTH_SIZE, VAR_DATA_MAX_LENGTH } from '../../../src/sbe/index.js';
import { ADMIN_SCHEMA_ID } from '../../../src/transport/admin-codec.js';
import { varLengthOffsets, writeLE, type FuzzField } from './frame-model.js';
import type { Rng } from './rng.js';
import type { Seed } from './seed-frames.js';

export type MutationKind = 'field' | 'enum' | 'block-length' | 'block-grow' | 'template-id' | 'schema-id' | 'version' | 'var-length' | 'byte';

export const MUTATION_KINDS: readonly MutationKind[] = ['field', 'enum', 'block-length', 'block-grow', 'template-id', 'schema-id', 'version', 'var-length', 'byte'];

/** Boundary values of a field of `size` bytes, plus neighbours of its current value. */
function interesting(f: FuzzField, current: bigint): bigint[] {
  const bits = BigInt(f.size * 8);
  const max = (1n << bits) - 1n;
  const half = 1n << (bits - 1n);
  return [0n, 1n, 2n, max, max - 1n, half, half - 1n, current + 1n, current - 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffn, 0x10000n];
}

function readLE(body: Uint8Array, pos: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(body[pos + i] ?? 0);
  return v;
}

/** Every defined value, each neighbour outside the set, and the width's extremes. */
function enumChoices(f: FuzzField): bigint[] {
  const defined = (f.enumValues ?? []).map(BigInt);
  const max = (1n << BigInt(f.size * 8)) - 1n;
  const lo = defined.reduce((a, b) => (b < a ? b : a), defined[0] ?? 0n);
  const hi = defined.reduce((a, b) => (b > a ? b : a), defined[0] ?? 0n);
  return [...defined, lo - 1n, hi + 1n, hi + 2n, 0n, max, max - 1n, ...(f.nullValue === null ? [] : [f.nullValue])];
}

/** Applies one mutation to a copy of `seed.body`. */
export function mutate(rng: Rng, seed: Seed): { body: Uint8Array; kind: MutationKind } {
  const { msg } = seed;
  let body = seed.body.slice();
  const enumFields = msg.fields.filter((f) => f.enumValues !== null);
  const kinds = MUTATION_KINDS.filter((k) => (k !== 'enum' || enumFields.length > 0) && (k !== 'var-length' || msg.vars.length > 0));
  const kind = rng.pick(kinds);
  switch (kind) {
    case 'field': {
      const f = rng.pick(msg.fields);
      const pos = MESSAGE_HEADER_LENGTH + f.offset;
      const current = readLE(body, pos, f.size);
      const choices = [...interesting(f, current), ...(f.nullValue === null ? [] : [f.nullValue])];
      writeLE(body, pos, f.size, rng.chance(0.4) ? BigInt.asUintN(f.size * 8, rng.u64()) : rng.pick(choices));
      break;
    }
    case 'enum': {
      const f = rng.pick(enumFields);
      writeLE(body, MESSAGE_HEADER_LENGTH + f.offset, f.size, rng.pick(enumChoices(f)));
      break;
    }
    case 'block-length':
      writeLE(body, 0, 2, BigInt(rng.pick([0, 1, 7, 8, msg.blockLength - 1, msg.blockLength + 1, msg.blockLength + 8, 0xffff, rng.int(0x10000)])));
      break;
    case 'block-grow': {
      // A longer block with the extra bytes present: legal SBE (a newer minor version), the
      // decoder must skip them by blockLength and still find the var-data after them.
      const extra = rng.range(1, 32);
      const grown = new Uint8Array(body.length + extra);
      const blockEnd = MESSAGE_HEADER_LENGTH + msg.blockLength;
      grown.set(body.subarray(0, blockEnd));
      grown.set(rng.bytes(extra), blockEnd);
      grown.set(body.subarray(blockEnd), blockEnd + extra);
      writeLE(grown, 0, 2, BigInt(msg.blockLength + extra));
      body = grown;
      break;
    }
    case 'template-id':
      writeLE(body, 2, 2, BigInt(rng.chance(0.8) ? rng.range(0, 12) : rng.int(0x10000)));
      break;
    case 'schema-id':
      writeLE(body, 4, 2, BigInt(rng.pick([900, 901, ADMIN_SCHEMA_ID, 0, 902, 899, 0xffff, rng.int(0x10000)])));
      break;
    case 'version':
      writeLE(body, 6, 2, BigInt(rng.pick([0, 2, 3, 0xff, 0xffff, rng.int(0x10000)])));
      break;
    case 'var-length': {
      const at = rng.pick(varLengthOffsets(msg, body));
      const current = Number(readLE(body, at, VAR_DATA_LENGTH_SIZE));
      const room = body.length - at - VAR_DATA_LENGTH_SIZE;
      const choices = [0, current + 1, Math.max(0, current - 1), room, room + 1, VAR_DATA_MAX_LENGTH, VAR_DATA_MAX_LENGTH + 1, 0xffffffff, rng.u32()];
      writeLE(body, at, VAR_DATA_LENGTH_SIZE, BigInt(rng.pick(choices)));
      break;
    }
    case 'byte': {
      const at = rng.int(body.length);
      body[at] = (body[at] as number) ^ rng.range(1, 255);
      break;
    }
  }
  return { body, kind };
}
