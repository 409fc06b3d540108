/**
 * HSM-ARCH-1: `tensorpool/hsm` stands alone. Every import and re-export in src/hsm names a file
 * inside src/hsm by a relative path: no package, no `node:` built-in (the engine must run in
 * browsers and workers too), and no `../` that climbs out of src/hsm. The *source* .ts files are
 * scanned, so the check sees type-only imports that compilation erases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs as .build/test/hsm/isolation.test.js; the repository root is three levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hsmRoot = join(repoRoot, 'src', 'hsm');

function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFilesUnder(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * Drops comments (keeping line breaks and string literals), so commented-out code is not scanned.
 * Text inside string literals is still scanned: a false alarm there is visible and harmless,
 * a missed import is not.
 */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)/g, (m, str: string | undefined) =>
    str !== undefined ? str : m.replace(/[^\n]/g, ' '),
  );
}

interface ModuleRef {
  readonly specifier: string;
  readonly line: number;
}

/**
 * Every module specifier: `import … from 'x'`, `import 'x'`, `export … from 'x'`, `import('x')`,
 * `require('x')`, `import x = require('x')` and `/// <reference path|types="x" />`.
 */
function moduleRefs(src: string): ModuleRef[] {
  const code = stripComments(src);
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\b(?:import|require)\s*\(\s*(['"`])([^'"`]+)\1/g,
  ];
  const refs: ModuleRef[] = [];
  const lineOf = (index: number): number => code.slice(0, index).split('\n').length;
  for (const re of patterns) {
    for (const m of code.matchAll(re)) refs.push({ specifier: m[2] ?? '', line: lineOf(m.index) });
  }
  // Triple-slash directives are comments, so look for them in the original text.
  for (const m of src.matchAll(/^\s*\/\/\/\s*<reference\s+(?:path|types|lib)\s*=\s*(['"])([^'"]+)\1/gm)) {
    refs.push({ specifier: `reference:${m[2] ?? ''}`, line: src.slice(0, m.index).split('\n').length });
  }
  return refs;
}

const files = tsFilesUnder(hsmRoot);

test('src/hsm has source files to check (the repository root was found)', () => {
  assert.ok(files.length >= 5, `expected the engine's .ts files under ${hsmRoot}, found ${files.length}`);
  assert.ok(files.some((f) => f.endsWith(`${sep}index.ts`)), `no index.ts under ${hsmRoot}`);
});

test('HSM-ARCH-1: every import/export in src/hsm is relative and stays inside src/hsm', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of files) {
    const where = relative(repoRoot, file);
    for (const { specifier, line } of moduleRefs(readFileSync(file, 'utf8'))) {
      checked++;
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
        problems.push(`${where}:${line} imports '${specifier}', which is not a relative path inside src/hsm`);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      if (target !== hsmRoot && !target.startsWith(hsmRoot + sep)) {
        problems.push(`${where}:${line} imports '${specifier}', which resolves outside src/hsm (${relative(repoRoot, target)})`);
        continue;
      }
      // NodeNext ESM: a relative specifier names the emitted .js file of a .ts source beside it.
      const source = target.replace(/\.js$/, '.ts');
      if (!files.includes(source)) {
        problems.push(`${where}:${line} imports '${specifier}', but ${relative(repoRoot, source)} does not exist`);
      }
    }
  }
  assert.ok(checked > 0, 'no import found at all: the scanner is broken');
  assert.deepEqual(problems, [], `src/hsm must import nothing from outside itself:\n  ${problems.join('\n  ')}`);
});

test('the import scanner finds every form it checks (self-test)', () => {
  const sample = [
    "import { a } from 'pkg-a';",
    "import type { B } from \"../outside/b.js\";",
    "export * from 'node:fs';",
    "export { c } from './c.js';",
    "import 'side-effect';",
    "const d = await import('dyn');",
    "import e = require('cjs');",
    '/// <reference types="node" />',
    "// import { f } from 'commented-out';",
    "/* export * from 'block-commented'; */",
    "import {\n  g,\n  h,\n} from './multi-line.js';",
  ].join('\n');
  assert.deepEqual(
    moduleRefs(sample).map((r) => r.specifier).sort(),
    ['../outside/b.js', './c.js', './multi-line.js', 'cjs', 'dyn', 'node:fs', 'pkg-a', 'reference:node', 'side-effect'],
  );
});
