/**
 * `tensorpool demo` (issue 6) as a real process, not on a TTY: it starts its own driver in a
 * temporary base dir, a producer and a consumer process, prints plain progress lines with
 * frames/s > 0, stops after --duration with exit 0 and removes the base dir. Plus --help and a
 * usage error.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { run } from './cli-harness.js';

const PROGRESS = /^demo: t=[\d.]+s frames\/s=([\d.]+) MiB\/s=([\d.]+) frames=(\d+) drops=(\d+)$/;

describe('tensorpool demo', () => {
  test('demo --duration 2 (not a TTY): plain progress lines with frames/s > 0, exit 0, temp dir removed', { timeout: 10_000 }, async () => {
    const r = await run(['demo', '--duration', '2', '--shape', '64,64', '--rate', '200'], process.env, 9000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\r'), 'no carriage returns off a TTY');
    const lines = r.stdout.trim().split('\n');
    const progress = lines.map((l) => PROGRESS.exec(l)).filter((m) => m !== null);
    assert.ok(progress.length >= 1, r.stdout);
    assert.ok(progress.some((m) => Number(m[1]) > 0 && Number(m[2]) > 0), r.stdout);
    assert.match(r.stdout, /^demo: produce: published=\d+ /m);
    assert.match(r.stdout, /^demo: consume: read=\d+ /m);
    const base = /\(base dir (\S+)\)/.exec(r.stdout)?.[1];
    assert.ok(base !== undefined, r.stdout);
    assert.equal(existsSync(base), false, 'the demo driver base dir is removed');
  });

  test('--help; usage errors exit 2 with one line', async () => {
    const help = await run(['demo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tensorpool demo /);
    for (const args of [['demo', '--bogus'], ['demo', '--dtype', 'nope'], ['demo', '--config', 'x.toml']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
