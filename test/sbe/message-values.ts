/**
 * Test support: fast-check arbitraries of valid values for any message of the schema models, and
 * generic encode / check-decoded helpers driving the generated flyweights by method name.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SbeDecodeError } from '../../src/sbe/index.js';
import {
  call, enumEncoding, enumValues, newDecoder, newEncoder, upperFirst,
  type FieldModel, type Flyweight, type GroupModel, type MessageModel, type SchemaModel, type VarModel,
} from './schema-model.js';

export type FieldValue = number | bigint | null | readonly number[];
export interface EntryValue {
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly vars: Readonly<Record<string, string | Uint8Array>>;
}
export interface MessageValue extends EntryValue {
  readonly groups: Readonly<Record<string, readonly EntryValue[]>>;
}

const RANGES: Record<string, readonly [number, number]> = {
  u8: [0, 0xff], u16: [0, 0xffff], u32: [0, 0xffffffff], i8: [-0x80, 0x7f], i16: [-0x8000, 0x7fff],
  i32: [-0x80000000, 0x7fffffff],
};
const BIG_RANGES: Record<string, readonly [bigint, bigint]> = {
  u64: [0n, 2n ** 64n - 1n], i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** The primitive a field is encoded as (enums resolved to their encoding). */
export function primitiveOf(schema: SchemaModel, f: FieldModel): string {
  return enumEncoding(schema, f.type) ?? (enumValues(schema, f.type) !== undefined ? 'i32' : f.type);
}

/** The null sentinel of an optional field, as the value type its getter returns. */
export function nullOf(schema: SchemaModel, f: FieldModel): number | bigint {
  const prim = primitiveOf(schema, f);
  const big = BIG_RANGES[prim];
  if (big !== undefined) {
    if (f.nullValue !== undefined) return BigInt(f.nullValue);
    return prim === 'u64' ? big[1] : big[0];
  }
  if (f.nullValue !== undefined) return Number(f.nullValue);
  const r = RANGES[prim] ?? [0, 0];
  return prim.startsWith('u') ? r[1] : r[0];
}

function fieldArb(schema: SchemaModel, f: FieldModel): fc.Arbitrary<FieldValue> | undefined {
  if (f.pad === true || f.constant !== undefined) return undefined;
  const prim = primitiveOf(schema, f);
  if (f.length !== undefined) {
    const [min, max] = RANGES[prim] ?? [0, 0];
    return fc.array(fc.integer({ min, max }), { maxLength: f.length });
  }
  const values = enumValues(schema, f.type);
  let base: fc.Arbitrary<number | bigint>;
  const big = BIG_RANGES[prim];
  if (values !== undefined) base = fc.constantFrom(...values);
  else if (big !== undefined) base = fc.bigInt({ min: big[0], max: big[1] });
  else {
    const [min, max] = RANGES[prim] ?? [0, 0];
    base = fc.integer({ min, max });
  }
  if (f.optional !== true) return base;
  const sentinel = nullOf(schema, f);
  return fc.option(base.filter((v) => v !== sentinel), { nil: null, freq: 3 });
}

function varArb(v: VarModel, long: boolean): fc.Arbitrary<string | Uint8Array> {
  const maxLength = long ? 3000 : 24;
  if (v.type === 'data') return fc.uint8Array({ maxLength });
  return fc.string({ unit: 'binary-ascii', maxLength });
}

function varsArb(vars: readonly VarModel[] | undefined, long: boolean): fc.Arbitrary<Record<string, string | Uint8Array>> {
  const rec: Record<string, fc.Arbitrary<string | Uint8Array>> = {};
  for (const v of vars ?? []) {
    rec[v.name] = long ? fc.oneof({ arbitrary: varArb(v, false), weight: 4 }, { arbitrary: varArb(v, true), weight: 1 }) : varArb(v, false);
  }
  return fc.record(rec);
}

function fieldsArb(schema: SchemaModel, fields: readonly FieldModel[]): fc.Arbitrary<Record<string, FieldValue>> {
  const rec: Record<string, fc.Arbitrary<FieldValue>> = {};
  for (const f of fields) {
    const a = fieldArb(schema, f);
    if (a !== undefined) rec[f.name] = a;
  }
  return fc.record(rec);
}

function groupArb(schema: SchemaModel, g: GroupModel): fc.Arbitrary<EntryValue[]> {
  const entry = fc.record({ fields: fieldsArb(schema, g.fields), vars: varsArb(g.varData, false) });
  return fc.oneof(
    { arbitrary: fc.array(entry, { maxLength: 6 }), weight: 5 },
    { arbitrary: fc.array(entry, { minLength: 100, maxLength: 300 }), weight: 1 },
  );
}

/** Random valid values for `msg`: max values, nulls, empty and long var data, 0 and many entries. */
export function messageArb(schema: SchemaModel, msg: MessageModel): fc.Arbitrary<MessageValue> {
  const groups: Record<string, fc.Arbitrary<EntryValue[]>> = {};
  for (const g of msg.groups ?? []) groups[g.name] = groupArb(schema, g);
  return fc.record({ fields: fieldsArb(schema, msg.fields), vars: varsArb(msg.varData, true), groups: fc.record(groups) });
}

function setFields(fw: Flyweight, fields: readonly FieldModel[], values: Readonly<Record<string, FieldValue>>): void {
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) call(fw, `put${upperFirst(f.name)}`, v);
    else call(fw, f.name, v);
  }
}

function setVars(fw: Flyweight, vars: readonly VarModel[] | undefined, values: Readonly<Record<string, string | Uint8Array>>): void {
  for (const v of vars ?? []) {
    const x = values[v.name];
    if (x !== undefined) call(fw, v.name, x);
  }
}

/** Encodes `value` at `offset`; returns the encoded length. */
export function encodeMessage(msg: MessageModel, value: MessageValue, buf: Uint8Array, offset = 0): number {
  const enc = newEncoder(msg.name);
  call(enc, msg.header === false ? 'wrap' : 'wrapAndApplyHeader', buf, offset);
  setFields(enc, msg.fields, value.fields);
  for (const g of msg.groups ?? []) {
    const entries = value.groups[g.name] ?? [];
    const ge = call(enc, `${g.name}Count`, entries.length) as Flyweight;
    for (const e of entries) {
      call(ge, 'next');
      setFields(ge, g.fields, e.fields);
      setVars(ge, g.varData, e.vars);
    }
  }
  setVars(enc, msg.varData, value.vars);
  return call(enc, 'finish') as number;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function checkFields(schema: SchemaModel, dec: Flyweight, fields: readonly FieldModel[], values: Readonly<Record<string, FieldValue>>, where: string): void {
  for (const f of fields) {
    if (f.pad === true) continue;
    if (f.constant !== undefined) {
      assert.equal(call(dec, f.name), f.constant, `${where}.${f.name}`);
      continue;
    }
    const v = values[f.name];
    if (f.length !== undefined) {
      const arr = (v ?? []) as readonly number[];
      for (let i = 0; i < f.length; i++) assert.equal(call(dec, f.name, i), arr[i] ?? 0, `${where}.${f.name}[${i}]`);
      continue;
    }
    const expected = v === undefined ? (f.optional === true ? null : undefined) : v;
    if (expected === undefined) continue;
    assert.equal(call(dec, f.name), expected, `${where}.${f.name}`);
    if (typeof expected === 'bigint' || (expected === null && BIG_RANGES[primitiveOf(schema, f)] !== undefined)) {
      if (expected === null) assert.equal(call(dec, `${f.name}Number`), null, `${where}.${f.name}Number`);
      else if (expected <= MAX_SAFE && expected >= -MAX_SAFE) assert.equal(call(dec, `${f.name}Number`), Number(expected));
      else {
        assert.throws(() => call(dec, `${f.name}Number`),
          (e: unknown) => e instanceof SbeDecodeError && e.code === 'TP_ERR_SBE_UNSAFE_INTEGER');
      }
    }
  }
}

function checkVars(dec: Flyweight, vars: readonly VarModel[] | undefined, values: Readonly<Record<string, string | Uint8Array>>, where: string): void {
  for (const v of vars ?? []) {
    const x = values[v.name] ?? (v.type === 'ascii' ? '' : new Uint8Array(0));
    assert.equal(call(dec, `${v.name}Length`), x.length, `${where}.${v.name}Length`);
    if (typeof x === 'string') assert.equal(call(dec, v.name), x, `${where}.${v.name}`);
    else assert.deepEqual(Array.from(call(dec, v.name) as Uint8Array), Array.from(x), `${where}.${v.name}`);
  }
}

/** Decodes `buf[offset, offset+length)` and asserts every field equals `value`. */
export function checkDecoded(schema: SchemaModel, msg: MessageModel, value: MessageValue, buf: Uint8Array, offset: number, length: number): void {
  const dec = newDecoder(msg.name);
  call(dec, 'wrap', buf, offset, length);
  assert.equal(call(dec, 'encodedLength'), length, `${msg.name}.encodedLength`);
  checkFields(schema, dec, msg.fields, value.fields, msg.name);
  for (const g of msg.groups ?? []) {
    const entries = value.groups[g.name] ?? [];
    const gd = call(dec, g.name) as Flyweight;
    assert.equal(call(gd, 'count'), entries.length, `${msg.name}.${g.name}.count`);
    entries.forEach((e, i) => {
      call(gd, 'next');
      checkFields(schema, gd, g.fields, e.fields, `${msg.name}.${g.name}[${i}]`);
      checkVars(gd, g.varData, e.vars, `${msg.name}.${g.name}[${i}]`);
    });
    assert.equal(call(gd, 'hasNext'), false);
  }
  checkVars(dec, msg.varData, value.vars, msg.name);
}
