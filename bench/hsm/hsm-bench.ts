/**
 * `npm run bench -- hsm`: our engine vs the hand-written switch (the floor) and XState v5, on
 * the same machine, in one process run. Prints events/s, bytes allocated per event and the
 * ratios engine/hand-written and engine/XState. A second engine row runs with a tracer whose
 * hooks are all absent, to show what an attached-but-empty tracer costs (it runs on the
 * interpreter); "unused" tracing is the plain engine row (the specialised dispatch, which has no
 * tracing code).
 */
import { formatRate, measure, measureInterleaved, printTable, type Loop, type Measurement } from '../lib/measure.js';
import type { SuiteResult } from '../run.js';
import { SCENARIO_NAMES, type ScenarioName } from './bench-machine.js';
import { engineLoops } from './engine-machine.js';
import { handwrittenLoops } from './handwritten.js';
import { xstateLoops } from './xstate-machine.js';

interface Row {
  readonly scenario: ScenarioName;
  readonly handwritten: Measurement;
  readonly engine: Measurement;
  readonly engineTraced: Measurement;
  readonly xstate: Measurement;
  readonly engineVsHandwritten: number;
  readonly engineVsXstate: number;
}

export async function run(): Promise<SuiteResult> {
  const quick = process.env['TP_BENCH_QUICK'] === '1';
  const fast = { ops: quick ? 200_000 : 2_000_000, rounds: quick ? 2 : 15, allocOps: quick ? 100_000 : 1_000_000 };
  const slow = { ops: quick ? 2_000 : 50_000, rounds: quick ? 2 : 3, warmup: quick ? 2_000 : 20_000, allocOps: quick ? 2_000 : 20_000 };
  const hand = handwrittenLoops();
  const engine = engineLoops();
  const traced = engineLoops(undefined, { tracer: {} });
  const xs = xstateLoops();
  const rows: Row[] = [];
  for (const s of SCENARIO_NAMES) {
    const m = (name: string, loops: Record<ScenarioName, Loop>, o: typeof fast): Measurement =>
      measure(`${name}:${s}`, loops[s], o);
    const [h, e, t] = measureInterleaved(
      [
        [`handwritten:${s}`, hand[s]],
        [`engine:${s}`, engine[s]],
        [`engine+tracer:${s}`, traced[s]],
      ],
      fast,
    ) as [Measurement, Measurement, Measurement];
    const x = m('xstate', xs, slow);
    rows.push({
      scenario: s,
      handwritten: h,
      engine: e,
      engineTraced: t,
      xstate: x,
      engineVsHandwritten: e.opsPerSec / h.opsPerSec,
      engineVsXstate: e.opsPerSec / x.opsPerSec,
    });
  }
  console.log('\nHSM dispatch — events/s (bytes allocated per event)\n');
  const cell = (x: Measurement): string => `${formatRate(x.opsPerSec)} (${x.bytesPerOp.toFixed(x.bytesPerOp < 10 ? 2 : 0)} B)`;
  printTable(
    ['scenario', 'hand-written', 'engine', 'engine+empty tracer', 'xstate v5', 'engine/hand', 'engine/xstate'],
    rows.map((r) => [
      r.scenario,
      cell(r.handwritten),
      cell(r.engine),
      cell(r.engineTraced),
      cell(r.xstate),
      `${r.engineVsHandwritten.toFixed(2)}x`,
      `${r.engineVsXstate.toFixed(0)}x`,
    ]),
  );
  const minRatio = Math.min(...rows.map((r) => r.engineVsHandwritten));
  const maxBytes = Math.max(...rows.map((r) => r.engine.bytesPerOp));
  console.log(`\nworst engine/hand-written ratio: ${minRatio.toFixed(2)}x (must >= 0.25x, goal >= 0.5x)`);
  console.log(`most bytes allocated per engine event: ${maxBytes.toFixed(2)} (must be 0)`);
  return { suite: 'hsm', results: rows };
}
