/**
 * Fuzz tests (PROTOCOL.md §1.6): random bytes, random bodies behind a valid header, and mutated
 * valid frames go into every decoder. Decoding may only fail with a typed SbeDecodeError; when it
 * succeeds every accessor works, and nothing outside the wrapped window is ever read (the bytes
 * around the window are scribbled over and every accessor must return the same again).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SbeDecodeError } from '../../src/sbe/index.js';
import { allMessages, call, newDecoder, type Flyweight, type MessageModel, type SchemaModel, type VarModel, type FieldModel } from './schema-model.js';
import { encodeMessage, messageArb } from './message-values.js';

const PAD = 16;

function isTyped(e: unknown): boolean {
  return e instanceof SbeDecodeError && e.code.startsWith('TP_ERR_SBE_');
}

/** Calls `fn`, turning a typed decode error into its code; anything else fails the test. */
function attempt(fn: () => unknown): unknown {
  try {
    const v = fn();
    return v instanceof Uint8Array ? Array.from(v) : v;
  } catch (e) {
    if (!isTyped(e)) throw e;
    return (e as SbeDecodeError).code;
  }
}

function readFields(fw: Flyweight, fields: readonly FieldModel[], out: unknown[]): void {
  for (const f of fields) {
    if (f.pad === true) continue;
    if (f.length !== undefined) {
      for (let i = 0; i < f.length; i++) out.push(attempt(() => call(fw, f.name, i)));
      continue;
    }
    out.push(attempt(() => call(fw, f.name)));
    if (typeof fw[`${f.name}Number`] === 'function') out.push(attempt(() => call(fw, `${f.name}Number`)));
  }
}

function readVars(fw: Flyweight, vars: readonly VarModel[] | undefined, out: unknown[]): void {
  for (const v of vars ?? []) {
    out.push(attempt(() => call(fw, `${v.name}Length`)), attempt(() => call(fw, `${v.name}Offset`)),
      attempt(() => call(fw, v.name)));
    if (v.type === 'ascii') out.push(attempt(() => call(fw, `${v.name}Bytes`)));
  }
}

/** Every accessor's result (or typed error code) after a successful wrap. */
function readAll(msg: MessageModel, dec: Flyweight): unknown[] {
  const out: unknown[] = [call(dec, 'encodedLength'), call(dec, 'actingBlockLength'), call(dec, 'actingVersion')];
  readFields(dec, msg.fields, out);
  for (const g of msg.groups ?? []) {
    const gd = call(dec, g.name) as Flyweight;
    out.push(call(gd, 'count'));
    out.push(attempt(() => call(gd, g.fields[0]?.name ?? `${g.varData?.[0]?.name ?? ''}Length`))); // before next()
    let guard = 0;
    while (call(gd, 'hasNext') === true) {
      assert.ok(guard++ <= 65535, 'group iteration must terminate');
      const step = attempt(() => call(gd, 'next'));
      if (typeof step === 'string') {
        out.push(step);
        break;
      }
      readFields(gd, g.fields, out);
      readVars(gd, g.varData, out);
    }
  }
  readVars(dec, msg.varData, out);
  return out;
}

/** Wraps `body` inside random padding; checks typed failure or stable, in-window success. */
function probe(msg: MessageModel, body: Uint8Array, scribble: number): void {
  const buf = new Uint8Array(body.length + 2 * PAD).fill(0xa5);
  buf.set(body, PAD);
  const dec = newDecoder(msg.name);
  let first: unknown[];
  try {
    call(dec, 'wrap', buf, PAD, body.length);
  } catch (e) {
    assert.ok(isTyped(e), `${msg.name}: untyped error ${String(e)}`);
    return;
  }
  first = readAll(msg, dec);
  assert.ok((first[0] as number) <= body.length, 'encodedLength within the window');
  buf.fill(scribble & 0xff, 0, PAD);
  buf.fill((scribble >> 8) & 0xff, PAD + body.length);
  call(dec, 'wrap', buf, PAD, body.length);
  assert.deepEqual(readAll(msg, dec), first, `${msg.name}: result depends on bytes outside the window`);
}

function headerFor(schema: SchemaModel, msg: MessageModel, blockLength: number, version: number): number[] {
  return [blockLength & 0xff, blockLength >> 8, msg.id & 0xff, msg.id >> 8, schema.id & 0xff, schema.id >> 8, version, 0];
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0xffffffff, 0x40000000, 0x40000001, 0x7fffffff)) }),
  fc.record({ kind: fc.constant('u16' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 9, 10, 11, 0xfffe, 0xffff) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ kind: fc.constant('extend' as const), at: fc.nat({ max: 64 }), value: fc.integer({ min: 0, max: 255 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    const v = new DataView(b.buffer);
    switch (m.kind) {
      case 'byte': b[at] = m.value; break;
      case 'u32': if (at + 4 <= b.length) v.setUint32(at, m.value >>> 0, true); break;
      case 'u16': if (at + 2 <= b.length) v.setUint16(at, m.value, true); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'extend': { const n = new Uint8Array(b.length + m.at).fill(m.value); n.set(b); b = n; break; }
    }
  }
  return b;
}

const scratch = new Uint8Array(1 << 21);

describe('fuzz: every decoder throws only typed errors and stays inside its window', () => {
  for (const { schema, msg } of allMessages) {
    test(`${msg.name}: random bytes`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(0xffff), (b, s) => probe(msg, b, s)),
        { numRuns: 150, seed: 901 });
    });

    if (msg.header !== false) {
      test(`${msg.name}: valid header, random blockLength/version and body (§1.6 rules 3–6, 9)`, () => {
        fc.assert(fc.property(
          fc.integer({ min: 0, max: msg.blockLength + 16 }), fc.integer({ min: 0, max: 2 }),
          fc.uint8Array({ maxLength: 400 }), fc.nat(0xffff),
          (bl, ver, body, s) => probe(msg, Uint8Array.from([...headerFor(schema, msg, bl, ver), ...body]), s),
        ), { numRuns: 200, seed: 902 });
      });
    }

    test(`${msg.name}: mutated valid frames (lengths, counts, truncation)`, () => {
      fc.assert(fc.property(messageArb(schema, msg), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(0xffff),
        (value, muts, s) => {
          const n = encodeMessage(msg, value, scratch);
          probe(msg, mutate(scratch.subarray(0, n), muts), s);
        }), { numRuns: 150, seed: 903 });
    });
  }
});
