/** The fuzz run's figures as plain lines (docs/reliability/fuzz.md quotes them). */
import type { FuzzReport } from './fuzz-run.js';

function table(title: string, rows: Readonly<Record<string, number>>, skipZero = false): string[] {
  const entries = Object.entries(rows).filter(([, v]) => !skipZero || v !== 0);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return [title, ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
}

export function formatFuzz(r: FuzzReport): string {
  const f = r.figures;
  const lines = [
    `fuzz: ${r.ok ? 'PASS' : 'FAIL'} (seed ${f.seed}; reproduce: npm run reliability -- fuzz --frames ${f.frames} --seed ${f.seed})`,
    `frames written         ${f.frames} (${f.bytes} bytes in ${f.writes} writes)`,
    `duration               ${(f.durationMs / 1000).toFixed(1)} s, ${f.framesPerSecond} frames/s`,
    `fuzz connections       ${f.connectionsOpened} opened, ${f.reconnects} reconnects after a framing breaker`,
    `frames from driver     ${f.framesFromDriver} to the fuzz connections; fuzz leases granted ${f.fuzzLeasesGranted}`,
    `invariants             ${f.invariantChecks} checks over ${f.statusSamples} status samples (${f.truncatedSamples} truncated) and ${f.announcesChecked} announces`,
    `good clients           ${f.goodClients}, ${f.goodClientLines} broadcast lines seen while fuzzing`,
    `driver                 RSS ${f.driverRssStartKiB} KiB at start, ${f.driverRssEndKiB} KiB at end; largest event-loop delay ${f.driverLoopMaxMs < 0 ? 'not reported' : `${f.driverLoopMaxMs} ms`}; exit ${f.driverExit}`,
    ...table('frames per generator (mutated:<kind> counts mutations, also inside concatenations)', f.generators),
    ...table('driver counters (non-zero)', f.driverCounters, true),
    ...table('transport counters (non-zero)', f.transportCounters, true),
  ];
  if (!r.ok) lines.push('violations:', ...r.violations.map((v) => `  ${v}`));
  return lines.join('\n');
}
