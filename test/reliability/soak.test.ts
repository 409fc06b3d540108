/**
 * The short load-and-soak run (the long one is `npm run reliability -- soak`, soak-core.ts): 200
 * real DriverClients in 2 processes, each holding a lease with keepalives every 100 ms against a
 * real driver process, sampled for 5 s. The lease lives 30 intervals (3 s) here so that a
 * shared VM that deschedules a client process for a second cannot expire a healthy client (the
 * long runs use the spec's 3). Memory growth is reported but not judged over 5 s (too short to
 * mean anything).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SOAK_OPTIONS, formatSoak, runSoak } from '../../scripts/reliability/soak-core.js';

test('200 clients × 100 ms keepalives: no lease lost, all held, lag and memory reported, none left after shutdown', { timeout: 60_000 }, async () => {
  const r = await runSoak({ ...DEFAULT_SOAK_OPTIONS, clients: 200, fleets: 2, streams: 8, keepaliveMs: 100, graceIntervals: 30, durationS: 5, warmupS: 0, checkMemory: false });
  const why = formatSoak(r).join('\n');
  assert.deepEqual(r.failures, [], why);
  assert.equal(r.leases.minDuringSoak, 200, why);
  assert.equal(r.leases.afterShutdown, 0, why);
  assert.deepEqual(r.spurious, { driverExpired: 0, driverRevoked: 0, keepalivesDropped: 0, clientEvents: {} }, why);
  // ~2000 keepalives a second reached the driver (half of that tolerates a slow, shared VM).
  assert.ok(r.keepalives.perSecond >= 1000, why);
  // The status document carried the figures: event-loop delay since start and per window, memory.
  const loop = r.driverLoop.sinceStart;
  assert.ok(loop !== null && loop.samples > 0 && loop.p50Ms <= loop.p99Ms && loop.p99Ms <= loop.maxMs, why);
  assert.ok(r.samples.some((s) => s.loopP99Ms !== null), why);
  assert.ok(r.memory.start.heapUsed > 0 && r.memory.end.rss > 0 && r.samples.every((s) => s.heapUsed > 0 && s.rss > 0), why);
});
