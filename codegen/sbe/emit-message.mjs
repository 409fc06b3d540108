// @ts-check
// Emits one TypeScript module per message: its decoder and encoder flyweights and those of its
// repeating groups. Layout rules: PROTOCOL.md §1.1 (block, groups, var-data, in that order).
import { checkPacking, kebab, minBlockLength, upperFirst } from './layout.mjs';
import { emitFieldGetters, emitFieldSetters, emitNullFills, requiredBits } from './emit-fields.mjs';

/** @typedef {import('./emit-fields.mjs').Ctx} Ctx */

/**
 * Var-data getters. @param {any} v @param {string} owner @param {string} guard statement run first
 * @param {Ctx} ctx
 */
function varGetters(v, owner, guard, ctx) {
  const n = v.name;
  const kind = v.type === 'ascii' ? 'varAscii' : 'varData';
  const doc = v.doc !== undefined ? ` ${v.doc}.` : '';
  const out = [
    `  /** Byte length of ${n} (${kind}; 0 = absent).${doc} */`, `  ${n}Length(): number {`, ...guard,
    `    return this.${n}Len;`, '  }', '',
    `  /** Offset in the wrapped buffer of the first byte of ${n}. */`, `  ${n}Offset(): number {`, ...guard,
    `    return this.${n}Pos + ${ctx.use('../var-data.js', 'VAR_DATA_LENGTH_SIZE')};`, '  }', ''];
  const view = [`    const p = this.${n}Pos + VAR_DATA_LENGTH_SIZE;`, `    return this.buf.subarray(p, p + this.${n}Len);`];
  if (v.type === 'ascii') {
    out.push(`  /** ${n} as a string (allocates; one char per byte). */`, `  ${n}(): string {`, ...guard,
      `    return ${ctx.use('../var-data.js', 'bytesToString')}(this.buf, this.${n}Pos + VAR_DATA_LENGTH_SIZE, this.${n}Len);`,
      '  }', '',
      `  /** ${n} as a view of the wrapped buffer (no copy). */`, `  ${n}Bytes(): Uint8Array {`, ...guard, ...view, '  }', '');
  } else {
    out.push(`  /** ${n} as a view of the wrapped buffer (no copy). */`, `  ${n}(): Uint8Array {`, ...guard, ...view, '  }', '');
  }
  return out;
}

/**
 * Var-data setters. @param {any} v @param {number} step index among the tail items
 * @param {string} owner @param {string[]} guard @param {Ctx} ctx
 */
function varSetters(v, step, owner, guard, ctx) {
  const n = v.name;
  const what = `'${owner}.${n}'`;
  const ascii = v.type === 'ascii';
  const type = ascii ? 'string | Uint8Array' : 'Uint8Array';
  const write = ascii
    ? `typeof value === 'string'\n      ? ${ctx.use('../var-data.js', 'writeVarAscii')}(this.buf, this.view, this.limit, this.end, value, ${what})\n      : ${ctx.use('../var-data.js', 'writeVarBytes')}(this.buf, this.view, this.limit, this.end, value, ${what})`
    : `${ctx.use('../var-data.js', 'writeVarBytes')}(this.buf, this.view, this.limit, this.end, value, ${what})`;
  return [
    `  /** Writes ${n}${ascii ? ' (US-ASCII string, or raw bytes)' : ''}; groups/var-data before it that were not written are written empty. */`,
    `  ${n}(value: ${type}): this {`, ...guard, `    this.moveTo(${step}, ${what});`, `    this.limit = ${write};`,
    `    this.step = ${step + 1};`, '    return this;', '  }', '',
    `  /** Writes the length of ${n} and returns the buffer offset where its \`length\` bytes go (fill them yourself). */`,
    `  reserve${upperFirst(n)}(length: number): number {`, ...guard, `    this.moveTo(${step}, ${what});`,
    `    this.limit = ${ctx.use('../var-data.js', 'reserveVarBytes')}(this.view, this.limit, this.end, length, ${what});`,
    `    this.step = ${step + 1};`, `    return this.limit - length;`, '  }', ''];
}

/** moveTo for a block whose tail is var-data only. @param {number} n @param {Ctx} ctx */
function simpleMoveTo(n, ctx) {
  if (n === 0) return [];
  return [
    '  /** Writes every tail field before `target` that was skipped as empty (absent = length 0, §1.4). */',
    '  private moveTo(target: number, what: string): void {',
    `    if (this.step > target) throw ${ctx.use('../sbe-error.js', 'encodeOrderError')}(what, 'written after a later field, or twice');`,
    '    while (this.step < target) {',
    `      this.limit = ${ctx.use('../var-data.js', 'reserveVarBytes')}(this.view, this.limit, this.end, 0, what);`,
    '      this.step++;', '    }', '  }', ''];
}

/** @param {any} schema @param {any} msg @param {any} g @param {Ctx} ctx */
function emitGroup(schema, msg, g, ctx) {
  const owner = g.shared ?? `${msg.name}.${g.name}`;
  const cls = g.shared ?? `${msg.name}${upperFirst(g.name)}`;
  checkPacking(schema, owner, g.fields, g.blockLength);
  const min = minBlockLength(schema, g.fields);
  const vars = g.varData ?? [];
  const tail = vars.length;
  const what = `'${owner}'`;
  const guard = ['    this.at();'];
  const dec = [
    `/** Decoder of ${owner} entries (group id ${g.id}, entry blockLength ${g.blockLength}): ${g.doc}. Step with next() while hasNext(). */`,
    `export class ${cls}Decoder {`, `  static readonly BLOCK_LENGTH = ${g.blockLength};`, '',
    '  private buf: Uint8Array = new Uint8Array(0);', `  private view: DataView = ${ctx.use('../buffer-window.js', 'viewOf')}(this.buf);`,
    '  private end = 0;', '  private blockLength = 0;', '  private countValue = 0;', '  private indexValue = -1;',
    '  private entry = -1;', '  private nextPos = 0;'];
  for (const v of vars) dec.push(`  private ${v.name}Pos = 0;`, `  private ${v.name}Len = 0;`);
  dec.push('',
    '  /** Rewinds to before the first entry of the group at `pos` (called by the message decoder). */',
    '  wrapGroup(buffer: Uint8Array, view: DataView, pos: number, end: number): this {',
    `    const blockLength = ${ctx.use('../group-dimension.js', 'groupBlockLength')}(view, pos, end, ${min}, ${what});`,
    '    this.buf = buffer;', '    this.view = view;', '    this.end = end;', '    this.blockLength = blockLength;',
    '    this.countValue = view.getUint16(pos + 2, true);', '    this.indexValue = -1;', '    this.entry = -1;',
    `    this.nextPos = pos + ${ctx.use('../group-dimension.js', 'GROUP_DIMENSION_SIZE')};`, '    return this;', '  }', '',
    '  /** Number of entries (numInGroup). */', '  count(): number {', '    return this.countValue;', '  }', '',
    '  /** Index of the current entry, -1 before the first next(). */', '  index(): number {', '    return this.indexValue;', '  }', '',
    '  hasNext(): boolean {', '    return this.indexValue + 1 < this.countValue;', '  }', '',
    '  /** Moves to the next entry (bounds-checked against the message end). */', '  next(): this {',
    `    if (this.indexValue + 1 >= this.countValue) throw ${ctx.use('../sbe-error.js', 'noCurrentEntry')}(${what});`,
    `    const entry = this.nextPos;`, `    ${ctx.use('../buffer-window.js', 'requireBytes')}(entry, this.blockLength, this.end, ${what});`,
    `    ${tail > 0 ? 'let' : 'const'} pos = entry + this.blockLength;`);
  for (const v of vars) {
    dec.push(`    const ${v.name}Pos = pos;`,
      `    pos = ${ctx.use('../var-data.js', 'varDataEnd')}(this.view, pos, this.end, '${owner}.${v.name}');`,
      `    const ${v.name}Len = pos - ${v.name}Pos - ${ctx.use('../var-data.js', 'VAR_DATA_LENGTH_SIZE')};`);
  }
  for (const v of vars) dec.push(`    this.${v.name}Pos = ${v.name}Pos;`, `    this.${v.name}Len = ${v.name}Len;`);
  dec.push('    this.entry = entry;', '    this.nextPos = pos;', '    this.indexValue++;', '    return this;', '  }', '',
    '  private at(): number {', `    if (this.entry < 0) throw noCurrentEntry(${what});`, '    return this.entry;', '  }', '');
  for (const f of g.fields) dec.push(...emitFieldGetters(schema, f, owner, 'this.at()', min, ctx));
  for (const v of vars) dec.push(...varGetters(v, owner, guard, ctx));
  dec.push('}', '');

  const bits = requiredBits(g.fields);
  const all = 2 ** bits.size - 1;
  const names = `['${[...bits.keys()].join("', '")}']`;
  const checkEntry = bits.size === 0 ? []
    : [`    if (this.entry >= 0 && this.present !== ${all}) throw ${ctx.use('../sbe-error.js', 'requiredFieldMissing')}(${what}, ${names}, this.present);`];
  const enc = [
    `/** Encoder of ${owner} entries: call next() exactly count times, then write each entry's fields. */`,
    `export class ${cls}Encoder {`, `  static readonly BLOCK_LENGTH = ${g.blockLength};`, '',
    '  private buf: Uint8Array = new Uint8Array(0);', '  private view: DataView = viewOf(this.buf);',
    '  private end = 0;', '  private limit = 0;', '  private countValue = 0;', '  private indexValue = -1;',
    '  private entry = -1;', ...(tail > 0 ? ['  private step = 0;'] : []),
    ...(bits.size > 0 ? ['  /** Bit i set once required entry field i was written. */', '  private present = 0;'] : []), '',
    '  /** Writes the group dimension at `pos` (called by the message encoder). */',
    '  begin(buffer: Uint8Array, view: DataView, pos: number, end: number, count: number): this {',
    `    this.limit = ${ctx.use('../group-dimension.js', 'writeGroupDimension')}(view, pos, end, ${g.blockLength}, count, ${what});`,
    '    this.buf = buffer;', '    this.view = view;', '    this.end = end;', '    this.countValue = count;',
    '    this.indexValue = -1;', '    this.entry = -1;', '    return this;', '  }', '',
    '  count(): number {', '    return this.countValue;', '  }', '',
    '  /** Completes the current entry (required fields set, skipped var-data written empty) and starts the next. */', '  next(): this {',
    ...checkEntry,
    ...(tail > 0 ? [`    if (this.indexValue >= 0) this.moveTo(${tail}, ${what});`] : []),
    `    if (this.indexValue + 1 >= this.countValue) throw ${ctx.use('../sbe-error.js', 'encodeOrderError')}(${what}, 'more entries than the declared count');`,
    `    ${ctx.use('../buffer-window.js', 'requireCapacity')}(this.limit, ${g.blockLength}, this.end, ${what});`,
    '    const entry = this.limit;',
    '    this.entry = entry;', `    this.limit = entry + ${g.blockLength};`, '    this.indexValue++;',
    ...(bits.size > 0 ? ['    this.present = 0;'] : []),
    ...(tail > 0 ? ['    this.step = 0;'] : []), '    return this;', '  }', '',
    '  /** Completes the group and returns the offset just past it (called by the message encoder). */',
    '  close(): number {', '    if (this.indexValue + 1 !== this.countValue) {',
    `      throw encodeOrderError(${what}, \`\${this.indexValue + 1} of \${this.countValue} declared entries written\`);`, '    }',
    ...checkEntry,
    ...(tail > 0 ? [`    if (this.indexValue >= 0) this.moveTo(${tail}, ${what});`] : []),
    '    return this.limit;', '  }', '',
    '  private at(): number {', `    if (this.entry < 0) throw encodeOrderError(${what}, 'entry written before next()');`,
    '    return this.entry;', '  }', '', ...simpleMoveTo(tail, ctx)];
  for (const f of g.fields) enc.push(...emitFieldSetters(schema, f, owner, 'this.at()', ctx, bits));
  vars.forEach((v, i) => enc.push(...varSetters(v, i, owner, guard, ctx)));
  enc.push('}', '');
  return { dec, enc, cls };
}

/** @param {any} schema @param {any} msg @param {string} banner @param {Ctx} ctx */
export function emitMessage(schema, msg, banner, ctx) {
  checkPacking(schema, msg.name, msg.fields, msg.blockLength);
  const hasHeader = msg.header !== false;
  const min = minBlockLength(schema, msg.fields);
  const groups = (msg.groups ?? []).map((/** @type {any} */ g) => {
    if (g.shared === undefined) return { g, ...emitGroup(schema, msg, g, ctx) };
    // Shared group flyweights live in their own module (emitSharedGroup).
    const mod = g.sameAs !== undefined ? `../${g.sameAs}/${kebab(g.shared)}.js` : `./${kebab(g.shared)}.js`;
    ctx.use(mod, `${g.shared}Decoder`);
    ctx.use(mod, `${g.shared}Encoder`);
    return { g, dec: [], enc: [], cls: g.shared };
  });
  const vars = msg.varData ?? [];
  const tail = groups.length + vars.length;
  const P = schema.constPrefix;
  const what = `'${msg.name}'`;
  const sid = ctx.use('./schema.js', `${P}_SCHEMA_ID`);
  const ver = ctx.use('./schema.js', `${P}_SCHEMA_VERSION`);
  const viewOf = ctx.use('../buffer-window.js', 'viewOf');
  const statics = [`  static readonly SCHEMA_ID = ${sid};`, `  static readonly SCHEMA_VERSION = ${ver};`,
    `  static readonly TEMPLATE_ID = ${msg.id};`, `  static readonly BLOCK_LENGTH = ${msg.blockLength};`];
  const headerNote = hasHeader ? '' : ' Stored without a message header: wrap it where it lies in SHM.';

  // ---- decoder ----
  const dec = [
    `/**`, ` * Decoder of ${msg.name} (schema ${schema.id}, templateId ${msg.id}, blockLength ${msg.blockLength}; PROTOCOL.md ${msg.section}).`,
    ` * ${msg.doc}${headerNote}`,
    ` * \`wrap\` checks ${hasHeader ? 'the header and ' : ''}the bounds of every group and var-data field once; it allocates nothing when re-wrapping the same buffer.`,
    ' */', `export class ${msg.name}Decoder {`, ...statics,
    '  // Offsets of the root block\'s fields from the block start (SBE\'s encodingOffset): for code',
    '  // that reads a message whose header and length it has already checked, without wrapping.',
    ...msg.fields.map((/** @type {any} */ f) => `  static readonly ${upperSnake(f.name)}_OFFSET = ${f.offset};`), '',
    '  private buf: Uint8Array = new Uint8Array(0);', `  private view: DataView = ${viewOf}(this.buf);`,
    '  private origin = 0;', '  private base = 0;', '  private blockLength = 0;', '  private version = 0;', '  private limit = 0;'];
  if (groups.length > 0) dec.push('  private end = 0;');
  for (const { g, cls } of groups) dec.push(`  private ${g.name}Pos = 0;`, `  private readonly ${g.name}Decoder = new ${cls}Decoder();`);
  for (const v of vars) dec.push(`  private ${v.name}Pos = 0;`, `  private ${v.name}Len = 0;`);
  const wrapDoc = hasHeader
    ? '  /** Wraps the message at `offset` (window `length`): checks schemaId, templateId, version, blockLength and all bounds; throws SbeDecodeError. */'
    : '  /** Wraps the structure at `offset` (window `length`): checks all bounds; throws SbeDecodeError. */';
  dec.push('', wrapDoc, '  wrap(buffer: Uint8Array, offset = 0, length: number = buffer.length - offset): this {',
    `    const end = ${ctx.use('../buffer-window.js', 'decodeWindowEnd')}(buffer, offset, length, ${what});`,
    '    const view = buffer === this.buf ? this.view : viewOf(buffer);');
  if (hasHeader) {
    dec.push(`    const blockLength = ${ctx.use('../message-header.js', 'checkMessageHeader')}(view, offset, end, ${sid}, ${msg.id}, ${ver}, ${min}, ${what});`,
      `    const base = offset + ${ctx.use('../message-header.js', 'MESSAGE_HEADER_LENGTH')};`);
  } else {
    dec.push(`    const blockLength = ${msg.blockLength};`, `    ${ctx.use('../buffer-window.js', 'requireBytes')}(offset, blockLength, end, ${what});`,
      '    const base = offset;');
  }
  dec.push(`    ${tail > 0 ? 'let' : 'const'} pos = base + blockLength;`);
  for (const { g } of groups) {
    const gmin = minBlockLength(schema, g.fields);
    dec.push(`    const ${g.name}Pos = pos;`,
      `    pos = ${ctx.use('../group-dimension.js', 'groupEnd')}(view, pos, end, ${gmin}, ${(g.varData ?? []).length}, '${msg.name}.${g.name}');`);
  }
  for (const v of vars) {
    dec.push(`    const ${v.name}Pos = pos;`, `    pos = ${ctx.use('../var-data.js', 'varDataEnd')}(view, pos, end, '${msg.name}.${v.name}');`,
      `    const ${v.name}Len = pos - ${v.name}Pos - ${ctx.use('../var-data.js', 'VAR_DATA_LENGTH_SIZE')};`);
  }
  dec.push('    this.buf = buffer;', '    this.view = view;', '    this.origin = offset;', '    this.base = base;',
    '    this.blockLength = blockLength;', hasHeader ? '    this.version = view.getUint16(offset + 6, true);' : `    this.version = ${ver};`,
    '    this.limit = pos;');
  if (groups.length > 0) dec.push('    this.end = end;');
  for (const { g } of groups) dec.push(`    this.${g.name}Pos = ${g.name}Pos;`);
  for (const v of vars) dec.push(`    this.${v.name}Pos = ${v.name}Pos;`, `    this.${v.name}Len = ${v.name}Len;`);
  dec.push('    return this;', '  }', '',
    '  /** The wrapped buffer. */', '  buffer(): Uint8Array {', '    return this.buf;', '  }', '',
    `  /** Offset of the ${hasHeader ? 'message header' : 'structure'} in the buffer. */`, '  offset(): number {', '    return this.origin;', '  }', '',
    `  /** The sender's root blockLength${hasHeader ? '' : ' (always the schema value: no header)'}. */`, '  actingBlockLength(): number {', '    return this.blockLength;', '  }', '',
    `  /** Schema version the sender encoded with${hasHeader ? '' : ' (assumed: no header)'}. */`, '  actingVersion(): number {', '    return this.version;', '  }', '',
    `  /** Bytes from offset() to the end of the last ${tail > 0 ? 'group or var-data field' : 'field'}. */`, '  encodedLength(): number {', '    return this.limit - this.origin;', '  }', '');
  for (const f of msg.fields) dec.push(...emitFieldGetters(schema, f, msg.name, 'this.base', min, ctx));
  for (const { g, cls } of groups) {
    dec.push(`  /** Group ${g.name} rewound to before its first entry (one reused flyweight). */`,
      `  ${g.name}(): ${cls}Decoder {`, `    return this.${g.name}Decoder.wrapGroup(this.buf, this.view, this.${g.name}Pos, this.end);`, '  }', '');
  }
  for (const v of vars) dec.push(...varGetters(v, msg.name, [], ctx));
  dec.push('}', '');

  // ---- encoder ----
  // Header messages track required scalar fields; SHM structures are written field by field in place
  // (the seqlock word by Atomics), so they are not tracked. Blocks with arrays/pads are zero-filled.
  const bits = hasHeader ? requiredBits(msg.fields) : new Map();
  const all = 2 ** bits.size - 1;
  const zeroFill = hasHeader && msg.fields.some((/** @type {any} */ f) => f.length !== undefined);
  const enc = [
    '/**', ` * Encoder of ${msg.name} (schema ${schema.id}, templateId ${msg.id}; PROTOCOL.md ${msg.section}).`,
    hasHeader
      ? ` * \`wrapAndApplyHeader\` writes the header${zeroFill ? ', zero-fills the block' : ''} and the null of every optional field;`
      : ' * `wrap` does not touch the memory (SHM: write every field yourself);',
    ` * then set fields in any order${tail > 0 ? ', groups and var-data in schema order' : ''}, and call \`finish()\` for the encoded length` +
      (bits.size > 0 ? ' (it refuses a message with a required field never set).' : '.'),
    ' */', `export class ${msg.name}Encoder {`, ...statics, '',
    '  private buf: Uint8Array = new Uint8Array(0);', '  private view: DataView = viewOf(this.buf);',
    '  private origin = 0;', '  private base = 0;', ...(tail > 0 ? ['  private end = 0;'] : []), '  private limit = 0;'];
  if (tail > 0) enc.push('  private step = 0;');
  if (groups.length > 0) enc.push('  private open = false;');
  if (bits.size > 0) enc.push('  /** Bit i set once required field i was written. */', '  private present = 0;');
  for (const { g, cls } of groups) enc.push(`  private readonly ${g.name}Encoder = new ${cls}Encoder();`);
  const wrapName = hasHeader ? 'wrapAndApplyHeader' : 'wrap';
  enc.push('', hasHeader
    ? '  /** Starts a message at `offset` in `buffer` (window `capacity`); throws SbeEncodeError if the fixed part does not fit. */'
    : '  /** Wraps the structure at `offset` (window `capacity`) without writing anything. */',
  `  ${wrapName}(buffer: Uint8Array, offset = 0, capacity: number = buffer.length - offset): this {`,
  `    const end = ${ctx.use('../buffer-window.js', 'encodeWindowEnd')}(buffer, offset, capacity, ${what});`,
  `    ${ctx.use('../buffer-window.js', 'requireCapacity')}(offset, ${hasHeader ? `${ctx.use('../message-header.js', 'MESSAGE_HEADER_LENGTH')} + ` : ''}${msg.blockLength}, end, ${what});`,
  '    if (buffer !== this.buf) {', '      this.buf = buffer;', '      this.view = viewOf(buffer);', '    }');
  if (hasHeader) {
    const nulls = emitNullFills(schema, msg.fields, 'base', ctx);
    if (nulls.length > 0) enc.push('    const view = this.view;');
    enc.push(`    ${ctx.use('../message-header.js', 'writeMessageHeader')}(this.view, offset, ${msg.blockLength}, ${msg.id}, ${sid}, ${ver});`,
      '    const base = offset + MESSAGE_HEADER_LENGTH;', ...(zeroFill ? [`    buffer.fill(0, base, base + ${msg.blockLength});`] : []), ...nulls);
  } else {
    enc.push('    const base = offset;');
  }
  enc.push('    this.origin = offset;', '    this.base = base;', ...(tail > 0 ? ['    this.end = end;'] : []), `    this.limit = base + ${msg.blockLength};`);
  if (tail > 0) enc.push('    this.step = 0;');
  if (groups.length > 0) enc.push('    this.open = false;');
  if (bits.size > 0) enc.push('    this.present = 0;');
  const names = `['${[...bits.keys()].join("', '")}']`;
  enc.push('    return this;', '  }', '',
    tail > 0
      ? '  /** Writes every group / var-data field not yet written as empty, checks group counts, and returns the encoded length. */'
      : '  /** The encoded length. */',
    '  finish(): number {',
    ...(bits.size > 0 ? [`    if (this.present !== ${all}) throw ${ctx.use('../sbe-error.js', 'requiredFieldMissing')}(${what}, ${names}, this.present);`] : []),
    ...(tail > 0 ? [`    this.moveTo(${tail}, ${what});`] : []), '    return this.limit - this.origin;', '  }', '');
  if (groups.length > 0) {
    const order = ctx.use('../sbe-error.js', 'encodeOrderError');
    enc.push('  /** Writes every tail item before `target` that was skipped as empty; closes an open group. */',
      '  private moveTo(target: number, what: string): void {',
      `    if (this.step > target || (this.step === target && this.open)) throw ${order}(what, 'written after a later field, or twice');`,
      '    while (this.step < target) {', '      switch (this.step) {');
    groups.forEach(({ g }, i) => {
      enc.push(`        case ${i}:`, `          this.limit = this.open`, `            ? this.${g.name}Encoder.close()`,
        `            : ${ctx.use('../group-dimension.js', 'writeGroupDimension')}(this.view, this.limit, this.end, ${g.blockLength}, 0, '${msg.name}.${g.name}');`,
        '          break;');
    });
    enc.push('        default:', `          this.limit = ${ctx.use('../var-data.js', 'reserveVarBytes')}(this.view, this.limit, this.end, 0, what);`,
      '      }', '      this.open = false;', '      this.step++;', '    }', '  }', '');
  } else {
    enc.push(...simpleMoveTo(vars.length, ctx));
  }
  for (const f of msg.fields) enc.push(...emitFieldSetters(schema, f, msg.name, 'this.base', ctx, bits));
  groups.forEach(({ g, cls }, i) => {
    enc.push(`  /** Starts group ${g.name} with \`count\` entries (0..65534); call next() on the result \`count\` times. */`,
      `  ${g.name}Count(count: number): ${cls}Encoder {`, `    this.moveTo(${i}, '${msg.name}.${g.name}');`,
      `    this.${g.name}Encoder.begin(this.buf, this.view, this.limit, this.end, count);`, '    this.open = true;',
      `    return this.${g.name}Encoder;`, '  }', '');
  });
  vars.forEach((v, i) => enc.push(...varSetters(v, groups.length + i, msg.name, [], ctx)));
  enc.push('}', '');

  const body = [];
  for (const gr of groups) body.push(...gr.dec, ...gr.enc);
  body.push(...dec, ...enc);
  return { banner, body: body.join('\n') };
}

/**
 * The module of a group shared by several messages (`shared: 'Name'`).
 * @param {any} schema @param {any} msg the first message declaring it @param {any} g @param {Ctx} ctx
 */
export function emitSharedGroup(schema, msg, g, ctx) {
  const { dec, enc } = emitGroup(schema, msg, g, ctx);
  return [...dec, ...enc].join('\n');
}

/** `leaseId` → `LEASE_ID`. */
function upperSnake(/** @type {string} */ name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
