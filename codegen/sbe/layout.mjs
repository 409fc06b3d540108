// @ts-check
// Type tables and schema checks for the SBE code generator: every fixed field must start where
// the previous one ended, and the fields must sum to the declared blockLength (PROTOCOL.md §1.1).

/** @typedef {{ size: number, ts: string, get: string, set: string, check: string, nullValue: string, big: boolean }} Prim */

/** @type {Record<string, Prim>} */
export const PRIMITIVES = {
  u8: { size: 1, ts: 'number', get: 'getUint8', set: 'setUint8', check: 'checkU8', nullValue: '255', big: false },
  u16: { size: 2, ts: 'number', get: 'getUint16', set: 'setUint16', check: 'checkU16', nullValue: '65535', big: false },
  u32: { size: 4, ts: 'number', get: 'getUint32', set: 'setUint32', check: 'checkU32', nullValue: '4294967295', big: false },
  i8: { size: 1, ts: 'number', get: 'getInt8', set: 'setInt8', check: 'checkI8', nullValue: '-128', big: false },
  i16: { size: 2, ts: 'number', get: 'getInt16', set: 'setInt16', check: 'checkI16', nullValue: '-32768', big: false },
  i32: { size: 4, ts: 'number', get: 'getInt32', set: 'setInt32', check: 'checkI32', nullValue: '-2147483648', big: false },
  u64: { size: 8, ts: 'bigint', get: 'getBigUint64', set: 'setBigUint64', check: 'checkU64', nullValue: '18446744073709551615', big: true },
  i64: { size: 8, ts: 'bigint', get: 'getBigInt64', set: 'setBigInt64', check: 'checkI64', nullValue: '-9223372036854775808', big: true },
};

/**
 * Resolves a field's type to its primitive and, for enum-typed fields, the enum.
 * @param {any} schema @param {any} field
 * @returns {{ prim: Prim, primName: string, enumDef: any }}
 */
export function resolveType(schema, field) {
  const prim = PRIMITIVES[field.type];
  if (prim !== undefined) return { prim, primName: field.type, enumDef: undefined };
  const enumDef = schema.enums.find((/** @type {any} */ e) => e.name === field.type);
  if (enumDef === undefined) throw new Error(`${schema.name}: unknown type ${field.type} of field ${field.name}`);
  const p = PRIMITIVES[enumDef.encoding];
  if (p === undefined) throw new Error(`${schema.name}: bad encoding ${enumDef.encoding} of enum ${enumDef.name}`);
  return { prim: p, primName: enumDef.encoding, enumDef };
}

/** @param {any} schema @param {any} field */
export function fieldSize(schema, field) {
  if (field.constant !== undefined) return 0;
  return resolveType(schema, field).prim.size * (field.length ?? 1);
}

/**
 * Throws unless the fields pack back to back from offset 0 and sum to blockLength.
 * @param {any} schema @param {string} owner @param {any[]} fields @param {number} blockLength
 */
export function checkPacking(schema, owner, fields, blockLength) {
  let next = 0;
  for (const f of fields) {
    if (f.constant !== undefined) continue;
    if (f.offset !== next) throw new Error(`${owner}.${f.name}: offset ${f.offset}, expected ${next} (packed, no padding)`);
    next += fieldSize(schema, f);
  }
  if (next !== blockLength) throw new Error(`${owner}: fields sum to ${next}, declared blockLength ${blockLength}`);
}

/**
 * Smallest sender blockLength that still holds every required (non-optional, non-pad) field;
 * shorter blocks are rejected, optional fields past the sender's blockLength read as null
 * (PROTOCOL.md §1.6 rule 6).
 * @param {any} schema @param {any[]} fields
 */
export function minBlockLength(schema, fields) {
  let min = 0;
  for (const f of fields) {
    if (f.constant !== undefined || f.optional === true || f.pad === true) continue;
    min = Math.max(min, f.offset + fieldSize(schema, f));
  }
  return min;
}

/** @param {string} name */
export function kebab(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** @param {string} name */
export function screaming(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** @param {string} name */
export function upperFirst(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** @param {string} name */
export function lowerFirst(name) {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
