/** The committed src/sbe/driver and src/sbe/wire are exactly what the generator produces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('regenerating the SBE codecs from codegen/sbe gives no diff', () => {
  const script = fileURLToPath(new URL('../../../codegen/sbe/generate.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `generator --check failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /41 generated files up to date/);
});
