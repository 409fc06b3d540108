/**
 * The short control-plane fuzzing run of issue #7 in `npm test`: the same program as
 * `npm run reliability -- fuzz` (scripts/reliability/fuzz/fuzz-run.ts) with 20,000 frames, a
 * producer and a consumer alongside. A failure prints the seed and every violation; replay it
 * with `npm run reliability -- fuzz --frames 20000 --seed <seed>`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFuzz } from '../../scripts/reliability/fuzz/format-figures.js';
import { runFuzz } from '../../scripts/reliability/fuzz/fuzz-run.js';

test('20,000 fuzzed control frames: the driver stays up, every invariant holds, the good clients see only broadcasts about others', { timeout: 60_000 }, async () => {
  const r = await runFuzz({ frames: 20_000, seed: 20261129, connections: 4, goodClients: 2, timeLimitMs: 40_000 });
  assert.ok(r.ok, formatFuzz(r));
  const f = r.figures;
  assert.equal(f.frames, 20_000);
  // The run really exercised the driver: every framed generator ran, leases were granted to the
  // fuzzer, framing breakers forced reconnects, and status was sampled.
  for (const g of ['random-bytes', 'random-header', 'mutated', 'valid-lease', 'valid-other', 'truncated', 'concatenated']) {
    assert.ok((f.generators[g] ?? 0) > 0, `generator ${g} never ran`);
  }
  assert.ok(f.fuzzLeasesGranted > 0, 'no fuzz attach was granted');
  assert.ok(f.reconnects > 0, 'no framing breaker was sent');
  assert.ok(f.statusSamples >= 3, `only ${f.statusSamples} status samples`);
  assert.ok((f.driverCounters['decodeErrors'] ?? 0) > 0 && (f.driverCounters['shutdownRequestsIgnored'] ?? 0) > 0);
  assert.ok((f.transportCounters['protocolErrors'] ?? 0) > 0);
});
