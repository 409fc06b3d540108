/** src/data imports only src/sbe, src/errors and itself (docs/ARCHITECTURE.md), and nothing from node:. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../src/data/', import.meta.url));

test('src/data imports only ./*, ../sbe/* and ../errors.js', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.js'));
  assert.ok(files.length > 5, `compiled src/data found in ${DIR}`);
  for (const file of files) {
    const text = readFileSync(DIR + file, 'utf8');
    for (const m of text.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'/g)) {
      const spec = m[1] ?? m[2] ?? '';
      assert.match(spec, /^(\.\/[\w-]+\.js|\.\.\/sbe\/[\w/-]+\.js|\.\.\/errors\.js)$/, `${file} imports ${spec}`);
    }
  }
});
