/**
 * readConfigFile (src/driver/config/read-config-file.ts): what `--config` may name. Regression
 * for issue 7: a FIFO made the driver hang forever at startup and /dev/zero read until memory ran
 * out; both now fail at once with a ConfigError naming the kind of file (end to end in
 * test/reliability/security-fs.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../src/driver/config/config-error.js';
import { loadConfig } from '../../../src/driver/config/load-config.js';
import { MAX_CONFIG_FILE_BYTES, readConfigFile } from '../../../src/driver/config/read-config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-cfgfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readConfigFile', () => {
  test('a regular file, directly or through a symlink, is read whole', () => {
    const file = join(dir, 'a.toml');
    writeFileSync(file, '# hello\n');
    symlinkSync(file, join(dir, 'link.toml'));
    assert.equal(readConfigFile(file), '# hello\n');
    assert.equal(readConfigFile(join(dir, 'link.toml')), '# hello\n');
  });

  test('a FIFO with no writer is refused at once instead of blocking', () => {
    const fifo = join(dir, 'fifo.toml');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => readConfigFile(fifo), /it is a FIFO, not a regular file/);
  });

  test('devices and directories are refused', () => {
    assert.throws(() => readConfigFile('/dev/zero'), /it is a character device/);
    assert.throws(() => readConfigFile('/dev/null'), /it is a character device/);
    assert.throws(() => readConfigFile(dir), /it is a directory/);
  });

  test('a file over the size limit is refused; one at the limit is read', () => {
    const big = join(dir, 'big.toml');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x23));
    assert.throws(() => readConfigFile(big), /more than the 1048576-byte limit/);
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_FILE_BYTES, 0x23));
    assert.equal(readConfigFile(big).length, MAX_CONFIG_FILE_BYTES);
  });

  test('loadConfig wraps the refusal in a ConfigError naming the file', () => {
    assert.throws(() => loadConfig({ file: '/dev/zero', env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, 'config: cannot read TOML file /dev/zero: it is a character device, not a regular file');
      return true;
    });
  });

  test('a value echoed in a ConfigError is cut to 200 characters plus its length', () => {
    assert.throws(() => loadConfig({ env: { SHM_NAMESPACE: 'n'.repeat(10_000) } }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.ok(e.message.length < 400, `${e.message.length} characters`);
      assert.match(e.message, /… \(10002 characters in all\)/);
      return true;
    });
  });
});
