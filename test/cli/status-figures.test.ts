/**
 * `tensorpool status` of a real `tensorpool driver` process shows the driver process's memory,
 * CPU time and event-loop delay (the driver starts the monitor), as text and in --json.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StatusDocument } from '../../src/transport/status-document.js';
import { tempBase, withTimeout } from '../transport/socket-harness.js';
import { run, startDriver, writeSmallConfig, type RunningDriver } from './cli-harness.js';

let base: { dir: string; cleanup: () => void };
let driver: RunningDriver | undefined;

before(() => (base = tempBase()));
after(() => {
  driver?.child.kill('SIGKILL');
  base.cleanup();
});

test('status shows the driver process memory, CPU and event-loop delay', async () => {
  driver = await startDriver(['--config', writeSmallConfig(base.dir), '--set', `shm.base_dir=${base.dir}`, '--set', 'shm.namespace=figures']);
  const json = await run(['status', '--json', '--control', driver.channel]);
  assert.equal(json.code, 0, json.stderr);
  const s = JSON.parse(json.stdout) as StatusDocument;
  assert.ok(s.process.memory.rss > 0 && s.process.memory.heapUsed > 0, JSON.stringify(s.process));
  assert.ok(s.process.cpu.userMs + s.process.cpu.systemMs > 0);
  const loop = s.process.eventLoop;
  assert.ok(loop !== null, 'tensorpool driver monitors its event loop');
  assert.equal(loop.resolutionMs, 10);
  assert.equal(loop.windowMs, 5000);
  assert.ok(loop.sinceStart.p50Ms <= loop.sinceStart.p99Ms && loop.sinceStart.p99Ms <= loop.sinceStart.maxMs, JSON.stringify(loop));

  const human = await run(['status', '--control', driver.channel]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /\nmemory rss \d+\.\d MiB, heap \d+\.\d MiB used of \d+\.\d MiB, external \d+\.\d MiB; cpu \d+\.\d s user, \d+\.\d s system\n/);
  assert.match(human.stdout, /\nevent-loop delay p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms since start/);
  driver.child.kill('SIGTERM');
  assert.equal((await withTimeout(driver.exited, 5000, 'driver exit')).code, 0);
});
