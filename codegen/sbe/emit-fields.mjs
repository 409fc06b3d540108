// @ts-check
// Emits the fixed-field accessors (decoder getters, encoder setters) shared by message roots and
// group entries. `pos` is the expression of the block start (`this.base` or `this.at()`).
import { resolveType, upperFirst } from './layout.mjs';

/**
 * @typedef {{ use: (module: string, name: string) => string }} Ctx
 */

/** @param {string} big bigint decimal @returns {[number, number]} low and high u32 words */
function words(big) {
  const v = BigInt.asUintN(64, BigInt(big));
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

/** @param {any} schema @param {any} field */
function nullOf(schema, field) {
  const { prim } = resolveType(schema, field);
  return field.nullValue ?? prim.nullValue;
}

/** Sentinel as a TypeScript literal. @param {any} schema @param {any} field @param {Ctx} ctx */
function nullLiteral(schema, field, ctx) {
  const { prim, primName } = resolveType(schema, field);
  if (!prim.big) return nullOf(schema, field);
  if (field.nullValue !== undefined) return `${field.nullValue}n`;
  return ctx.use('../null-values.js', primName === 'u64' ? 'NULL_U64' : 'NULL_I64');
}

/** @param {any} schema @param {any} f */
function describe(schema, f) {
  const { enumDef, primName } = resolveType(schema, f);
  const type = enumDef !== undefined ? `${enumDef.name} (${primName})` : f.length !== undefined ? `${primName}[${f.length}]` : primName;
  const presence = f.optional === true ? `, optional, null ${nullOf(schema, f)}` : '';
  return `${f.name}: ${type} at block offset ${f.offset}${presence}.${f.doc !== undefined ? ` ${f.doc}.` : ''}`;
}

/**
 * Decoder getters for one fixed field.
 * @param {any} schema @param {any} f @param {string} owner @param {string} pos @param {number} minBlock @param {Ctx} ctx
 */
export function emitFieldGetters(schema, f, owner, pos, minBlock, ctx) {
  const what = `'${owner}.${f.name}'`;
  const { prim, primName, enumDef } = resolveType(schema, f);
  if (f.pad === true) return [];
  if (f.constant !== undefined) {
    return [`  /** ${f.name}: constant ${f.constant} (${primName}), not encoded. */`,
      `  ${f.name}(): ${f.constant} {`, `    return ${f.constant};`, '  }', ''];
  }
  const out = [];
  const le = prim.size > 1 ? ', true' : '';
  const end = f.offset + prim.size * (f.length ?? 1);
  const absent = f.optional === true && end > minBlock ? [`    if (this.blockLength < ${end}) return null;`] : [];
  const at = f.offset === 0 ? pos : `${pos} + ${f.offset}`;
  if (f.length !== undefined) {
    out.push(`  /** ${describe(schema, f)} Element \`index\` (0..${f.length - 1}). */`,
      `  ${f.name}(index: number): number {`,
      `    return this.view.${prim.get}(${at} + ${ctx.use('../sbe-error.js', 'checkReadIndex')}(index, ${f.length}, ${what}) * ${prim.size}${le});`,
      '  }', '');
    return out;
  }
  const enumNote = enumDef !== undefined ? ` Raw value: check it with \`is${enumDef.name}()\`; unknown values are returned as they are.` : '';
  if (prim.big) {
    const reader = primName === 'u64' ? 'readU64Number' : 'readI64Number';
    if (f.optional === true) {
      const lit = nullLiteral(schema, f, ctx);
      const [lo, hi] = words(nullOf(schema, f));
      out.push(`  /** ${describe(schema, f)} bigint, or null when absent. */`,
        `  ${f.name}(): bigint | null {`, ...absent,
        `    const v = this.view.${prim.get}(${at}, true);`, `    return v === ${lit} ? null : v;`, '  }', '',
        `  /** ${f.name} as an exact number without allocating, or null when absent; throws TP_ERR_SBE_UNSAFE_INTEGER beyond 2^53-1. */`,
        `  ${f.name}Number(): number | null {`, ...absent,
        ...(primName === 'u64'
          ? [`    const p = ${at};`, '    const lo = this.view.getUint32(p, true);', '    const hi = this.view.getUint32(p + 4, true);',
            `    if (lo === ${lo} && hi === ${hi}) return null;`,
            '    if (hi === 0) return lo;',
            `    return hi <= ${ctx.use('../int64.js', 'MAX_SAFE_HI')} ? hi * ${ctx.use('../int64.js', 'TWO_32')} + lo : ${ctx.use('../int64.js', 'unsafeInteger')}(p, ${what});`]
          : [`    return ${ctx.use('../int64.js', 'readI64NumberOrNull')}(this.view, ${at}, ${lo}, ${hi}, ${what});`]),
        '  }', '');
    } else {
      out.push(`  /** ${describe(schema, f)} bigint. */`, `  ${f.name}(): bigint {`,
        `    return this.view.${prim.get}(${at}, true);`, '  }', '',
        `  /** ${f.name} as an exact number without allocating; throws TP_ERR_SBE_UNSAFE_INTEGER beyond 2^53-1. */`,
        `  ${f.name}Number(): number {`,
        ...(primName === 'u64'
          ? [`    const hi = this.view.getUint32(${at} + 4, true);`,
            // hi === 0 returns the low word itself: a small id then stays a small integer (Smi)
            // rather than a double, which keeps Map lookups keyed by it on V8's fast path.
            `    if (hi === 0) return this.view.getUint32(${at}, true);`,
            `    return hi <= ${ctx.use('../int64.js', 'MAX_SAFE_HI')} ? hi * ${ctx.use('../int64.js', 'TWO_32')} + this.view.getUint32(${at}, true) : ${ctx.use('../int64.js', 'unsafeInteger')}(${at}, ${what});`]
          : [`    return ${ctx.use('../int64.js', reader)}(this.view, ${at}, ${what});`]),
        '  }', '');
    }
    return out;
  }
  if (f.optional === true) {
    out.push(`  /** ${describe(schema, f)}${enumNote} null when absent. */`, `  ${f.name}(): number | null {`, ...absent,
      `    const v = this.view.${prim.get}(${at}${le});`, `    return v === ${nullOf(schema, f)} ? null : v;`, '  }', '');
  } else {
    out.push(`  /** ${describe(schema, f)}${enumNote} */`, `  ${f.name}(): number {`,
      `    return this.view.${prim.get}(${at}${le});`, '  }', '');
  }
  return out;
}

/**
 * Encoder setters for one fixed field; fields in `bits` also set their bit in `this.present`.
 * @param {any} schema @param {any} f @param {string} owner @param {string} pos @param {Ctx} ctx
 * @param {Map<string, number>} bits
 */
export function emitFieldSetters(schema, f, owner, pos, ctx, bits) {
  if (f.pad === true || f.constant !== undefined) return [];
  const bit = bits.get(f.name);
  const mark = bit === undefined ? [] : [`    this.present |= ${2 ** bit};`];
  const what = `'${owner}.${f.name}'`;
  const { prim, primName, enumDef } = resolveType(schema, f);
  const le = prim.size > 1 ? ', true' : '';
  const at = f.offset === 0 ? pos : `${pos} + ${f.offset}`;
  const checkName = prim.check;
  const lazy = { get check() { return ctx.use('../value-checks.js', checkName); } };
  const out = [];
  if (f.length !== undefined) {
    const n = f.length;
    out.push(`  /** Sets element \`index\` of ${describe(schema, f)} */`,
      `  ${f.name}(index: number, value: number): this {`,
      `    this.view.${prim.set}(${at} + ${ctx.use('../sbe-error.js', 'checkWriteIndex')}(index, ${n}, ${what}) * ${prim.size}, ${lazy.check}(value, ${what})${le});`,
      '    return this;', '  }', '',
      `  /** Sets ${f.name} from \`values\` (at most ${n}); the remaining elements are written as 0. */`,
      `  put${upperFirst(f.name)}(values: ArrayLike<number>): this {`,
      `    const n = ${ctx.use('../value-checks.js', 'checkArrayLength')}(values.length, ${n}, ${what});`,
      `    const p = ${at};`,
      `    for (let i = 0; i < ${n}; i++) {`,
      `      this.view.${prim.set}(p + i * ${prim.size}, i < n ? ${lazy.check}(values[i] ?? 0, ${what}) : 0${le});`,
      '    }', '    return this;', '  }', '');
    return out;
  }
  const paramType = enumDef !== undefined ? enumDef.name : prim.ts;
  if (enumDef !== undefined) ctx.use(`./${enumDef.file}.js`, enumDef.name);
  const validate = enumDef !== undefined
    ? (/** @type {string} */ v) => `${ctx.use(`./${enumDef.file}.js`, `is${enumDef.name}`)}(${v}) ? ${v} : ${ctx.use('../value-checks.js', 'notEnumValue')}(${v}, ${what})`
    : (/** @type {string} */ v) => `${lazy.check}(${v}, ${what})`;
  if (f.optional === true) {
    const lit = nullLiteral(schema, f, ctx);
    const nullAsValue = ctx.use('../value-checks.js', 'nullAsValue');
    out.push(`  /** Sets ${describe(schema, f)} null writes the sentinel. */`,
      `  ${f.name}(value: ${paramType} | null): this {`,
      `    if (value === null) {`, `      this.view.${prim.set}(${at}, ${lit}${le});`, '      return this;', '    }',
      ...(enumDef !== undefined
        ? [`    this.view.${prim.set}(${at}, ${validate('value')}${le});`]
        : [`    if (${lazy.check}(value, ${what}) === ${lit}) throw ${nullAsValue}(${what});`,
          `    this.view.${prim.set}(${at}, value${le});`]),
      '    return this;', '  }', '');
    if (prim.big) {
      const writer = ctx.use('../int64.js', primName === 'u64' ? 'writeU64Number' : 'writeI64Number');
      out.push(`  /** Sets ${f.name} from a safe-integer number (no bigint needed); null writes the sentinel. */`,
        `  ${f.name}Number(value: number | null): this {`,
        `    if (value === null) {`, `      this.view.${prim.set}(${at}, ${lit}, true);`, '      return this;', '    }');
      if (BigInt(nullOf(schema, f)) === 0n) out.push(`    if (value === 0) throw ${nullAsValue}(${what});`);
      out.push(`    ${writer}(this.view, ${at}, value, ${what});`, '    return this;', '  }', '');
    }
    return out;
  }
  out.push(`  /** Sets ${describe(schema, f)} */`, `  ${f.name}(value: ${paramType}): this {`,
    `    this.view.${prim.set}(${at}, ${validate('value')}${le});`, ...mark, '    return this;', '  }', '');
  if (prim.big) {
    const writer = ctx.use('../int64.js', primName === 'u64' ? 'writeU64Number' : 'writeI64Number');
    out.push(`  /** Sets ${f.name} from a safe-integer number (no bigint needed). */`,
      `  ${f.name}Number(value: number): this {`, `    ${writer}(this.view, ${at}, value, ${what});`, ...mark,
      '    return this;', '  }', '');
  }
  return out;
}

/**
 * Statements writing the null sentinel of every optional field (`wrapAndApplyHeader` starts every message absent).
 * @param {any} schema @param {any[]} fields @param {string} pos @param {Ctx} ctx
 */
export function emitNullFills(schema, fields, pos, ctx) {
  const out = [];
  for (const f of fields) {
    if (f.optional !== true) continue;
    const { prim } = resolveType(schema, f);
    out.push(`    view.${prim.set}(${pos} + ${f.offset}, ${nullLiteral(schema, f, ctx)}${prim.size > 1 ? ', true' : ''});`);
  }
  return out;
}

/**
 * Bit index of every required scalar field (arrays, pads, constants and optional fields excluded).
 * @param {any[]} fields @returns {Map<string, number>}
 */
export function requiredBits(fields) {
  const bits = new Map();
  for (const f of fields) {
    if (f.optional === true || f.pad === true || f.constant !== undefined || f.length !== undefined) continue;
    bits.set(f.name, bits.size);
  }
  if (bits.size > 30) throw new Error('more than 30 required fields: widen the presence mask');
  return bits;
}
