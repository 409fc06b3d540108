/**
 * The process figures of the status document (TRANSPORT.md §5): memory and CPU always, the
 * event-loop delay once the monitor runs, in the document and in `tensorpool status`'s text.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import { formatProcess } from '../../src/cli/status-command.js';
import { processFigures, startEventLoopMonitor, stopEventLoopMonitor, type ProcessFigures } from '../../src/transport/process-figures.js';
import { buildStatusDocument, type StatusContext } from '../../src/transport/status-document.js';

afterEach(() => stopEventLoopMonitor());

/** Waits (bounded) until the monitor has completed a window. */
async function firstWindow(): Promise<ProcessFigures> {
  for (let i = 0; i < 200; i++) {
    const p = processFigures();
    if (p.eventLoop?.lastWindow != null) return p;
    await sleep(10);
  }
  throw new Error('no event-loop window completed within 2 s');
}

describe('process figures', () => {
  test('memory and CPU are always there; the event loop is null until the monitor starts', () => {
    const p = processFigures();
    assert.equal(p.eventLoop, null);
    assert.ok(p.memory.rss > 0 && p.memory.heapUsed > 0 && p.memory.heapTotal >= p.memory.heapUsed);
    assert.ok(p.cpu.userMs >= 0 && p.cpu.systemMs >= 0);
    assert.deepEqual(formatProcess(p).slice(1), ['event-loop delay: not monitored']);
  });

  test('the monitor reports ordered percentiles since start and per window; stop returns to null', async () => {
    startEventLoopMonitor(1, 50);
    startEventLoopMonitor(10, 5000); // a second start keeps the first monitor
    const p = await firstWindow();
    const loop = p.eventLoop;
    assert.ok(loop !== null && loop.lastWindow !== null);
    assert.equal(loop.resolutionMs, 1);
    assert.equal(loop.windowMs, 50);
    for (const d of [loop.sinceStart, loop.lastWindow]) {
      assert.ok(d.samples > 0, JSON.stringify(d));
      assert.ok(d.p50Ms >= 0 && d.p50Ms <= d.p99Ms && d.p99Ms <= d.maxMs, JSON.stringify(d));
    }
    assert.ok(loop.sinceStart.samples >= loop.lastWindow.samples);
    assert.match(formatProcess(p).join('\n'), /^memory rss \d+\.\d MiB, heap \d+\.\d MiB used of \d+\.\d MiB.*\nevent-loop delay p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms since start; last 0 s: p50/);
    stopEventLoopMonitor();
    assert.equal(processFigures().eventLoop, null);
  });

  test('the status document carries them (or the ones it is given)', () => {
    const ctx: StatusContext = {
      snapshot: { state: 'Running', streams: [], leases: [], counters: {} },
      nowNs: 0,
      instanceId: 'i',
      namespace: 'n',
      channel: 'unix:/x',
      uptimeMs: 1,
      connections: 0,
      transportCounters: {},
    };
    assert.ok(buildStatusDocument(ctx).process.memory.heapUsed > 0);
    const given: ProcessFigures = { memory: { rss: 1, heapUsed: 2, heapTotal: 3, external: 4, arrayBuffers: 5 }, cpu: { userMs: 6, systemMs: 7 }, eventLoop: null };
    assert.deepEqual(buildStatusDocument({ ...ctx, process: given }).process, given);
  });
});
