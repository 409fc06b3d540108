/**
 * Benchmark measurement: throughput and bytes allocated per operation.
 *
 * Allocation is measured from V8's heap counters, corrected for collections that happen during
 * the run: allocated = (used_end - used_start) + Σ (used_before_gc - used_after_gc), with the GC
 * list taken synchronously from `v8.GCProfiler`. Run with `--expose-gc` so each measurement
 * starts from a collected heap.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

/** A loop body that performs `n` operations; the loop lives inside, so no per-op call overhead. */
export type Loop = (n: number) => void;

export interface Measurement {
  readonly name: string;
  readonly opsPerSec: number;
  readonly nsPerOp: number;
  readonly bytesPerOp: number;
  readonly gcCount: number;
}

export interface MeasureOptions {
  /** Operations per timed round. */
  readonly ops?: number;
  /** Timed rounds; the best round is reported (least disturbed by the other core's load). */
  readonly rounds?: number;
  /** Warm-up operations before timing, so the optimising compiler has settled. */
  readonly warmup?: number;
  /** Operations in the allocation pass. */
  readonly allocOps?: number;
}

const gcHook = (globalThis as { gc?: () => void }).gc;

function collect(): void {
  if (gcHook !== undefined) gcHook();
}

interface GcStat {
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/** Bytes allocated by `loop(n)`, per operation. */
export function allocatedPerOp(loop: Loop, n: number): { bytesPerOp: number; gcCount: number } {
  collect();
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  loop(n);
  const after = getHeapStatistics().used_heap_size;
  const result = profiler.stop() as unknown as { statistics: GcStat[] } | undefined;
  const stats = result?.statistics ?? [];
  let reclaimed = 0;
  for (const s of stats) {
    reclaimed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  }
  const total = after - before + reclaimed;
  // The two heap-statistics calls themselves allocate a few hundred bytes; that is noise we
  // round away by dividing by a large n and flooring tiny values to zero.
  const perOp = total / n;
  return { bytesPerOp: perOp < 0.01 ? 0 : perOp, gcCount: stats.length };
}

export function measure(name: string, loop: Loop, options: MeasureOptions = {}): Measurement {
  const ops = options.ops ?? 5_000_000;
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? Math.min(ops, 1_000_000);
  const allocOps = options.allocOps ?? 1_000_000;
  loop(warmup);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    loop(ops);
    const dt = Number(process.hrtime.bigint() - t0);
    if (dt < best) best = dt;
  }
  const nsPerOp = best / ops;
  // Steady-state allocation shows in every pass; one-off JIT work (optimised code and feedback
  // live on the heap too) shows in one. The least of three passes is the steady state.
  let alloc = allocatedPerOp(loop, allocOps);
  for (let i = 0; i < 2 && alloc.bytesPerOp > 0; i++) {
    const again = allocatedPerOp(loop, allocOps);
    if (again.bytesPerOp < alloc.bytesPerOp) alloc = again;
  }
  return { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, bytesPerOp: alloc.bytesPerOp, gcCount: alloc.gcCount };
}

/**
 * Measures several loops round-robin — one round of each, repeated — so that load from other
 * processes on this 2-core machine falls on all of them alike and the ratios stay fair.
 */
export function measureInterleaved(
  loops: readonly (readonly [name: string, loop: Loop])[],
  options: MeasureOptions = {},
): Measurement[] {
  const ops = options.ops ?? 5_000_000;
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? Math.min(ops, 1_000_000);
  const allocOps = options.allocOps ?? 1_000_000;
  for (const [, loop] of loops) loop(warmup);
  const best = loops.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    loops.forEach(([, loop], i) => {
      const t0 = process.hrtime.bigint();
      loop(ops);
      const dt = Number(process.hrtime.bigint() - t0);
      if (dt < (best[i] as number)) best[i] = dt;
    });
  }
  return loops.map(([name, loop], i) => {
    let alloc = allocatedPerOp(loop, allocOps);
    for (let k = 0; k < 2 && alloc.bytesPerOp > 0; k++) {
      const again = allocatedPerOp(loop, allocOps);
      if (again.bytesPerOp < alloc.bytesPerOp) alloc = again;
    }
    const nsPerOp = (best[i] as number) / ops;
    return { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, bytesPerOp: alloc.bytesPerOp, gcCount: alloc.gcCount };
  });
}

export function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(1)} M/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k/s`;
  return `${opsPerSec.toFixed(1)} /s`;
}

/** Prints an aligned table; every cell is already a string. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}
