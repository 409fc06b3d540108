// @ts-check
// Emits one TypeScript module per SBE enum: the constants object, its type, the wire null, and
// `isX` / `xName` helpers. Decoders return raw numbers so unknown values stay visible (§1.6 rule 10).
import { PRIMITIVES, kebab, lowerFirst, screaming } from './layout.mjs';

/** @param {any} schema @param {any} e @param {string} banner */
export function emitEnum(schema, e, banner) {
  const nullName = `${screaming(e.name)}_NULL_VALUE`;
  if (e.sameAs !== undefined) {
    return `${banner}
/** ${e.name} of schema ${schema.id} (${e.section}) has the same encoding and values as in the ${e.sameAs} schema. */
export { ${e.name}, ${nullName}, is${e.name}, ${lowerFirst(e.name)}Name } from '../${e.sameAs}/${kebab(e.name)}.js';
`;
  }
  const prim = PRIMITIVES[e.encoding];
  if (prim === undefined) throw new Error(`enum ${e.name}: bad encoding`);
  const lines = [banner, '/**', ` * ${e.name}: ${e.doc} ${e.encoding}, PROTOCOL.md ${e.section} (schema ${schema.id}).`,
    ` * Decoders return the raw number so unknown values stay visible: test it with {@link is${e.name}}.`, ' */',
    `export const ${e.name} = {`];
  for (const [name, value, doc] of e.values) {
    if (doc !== undefined) lines.push(`  /** ${doc} */`);
    lines.push(`  ${name}: ${value},`);
  }
  lines.push('} as const;', `export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`, '',
    `/** Wire null of ${e.name} (the ${e.encoding} null); never a defined constant. */`,
    `export const ${nullName} = ${prim.nullValue};`, '',
    `/** True when \`value\` is a defined ${e.name} constant. */`,
    `export function is${e.name}(value: number): value is ${e.name} {`, '  switch (value) {');
  for (const [, value] of e.values) lines.push(`    case ${value}:`);
  lines.push('      return true;', '    default:', '      return false;', '  }', '}', '',
    `/** Constant name of \`value\`, or undefined when it is not a defined ${e.name}. */`,
    `export function ${lowerFirst(e.name)}Name(value: number): keyof typeof ${e.name} | undefined {`, '  switch (value) {');
  for (const [name, value] of e.values) lines.push(`    case ${value}:`, `      return '${name}';`);
  lines.push('    default:', '      return undefined;', '  }', '}', '');
  return lines.join('\n');
}
