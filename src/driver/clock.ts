/**
 * The driver's clock: nanoseconds of the host's monotonic clock (CLOCK_MONOTONIC, the clock
 * every driver timestamp uses — DRIVER_RULES "Clock note"), as a number.
 *
 * `process.hrtime.bigint()` is CLOCK_MONOTONIC but allocates a bigint per call; keepalive
 * handling must allocate nothing, so the production clock anchors `performance.now()` — the same
 * uv_hrtime source, as a double — to one hrtime reading. Numbers are exact to the nanosecond up to
 * 2^53 ns (104 days of host uptime) and lose single nanoseconds after that, which no lease or
 * announce deadline notices.
 */
import { performance } from 'node:perf_hooks';

/** Returns monotonic nanoseconds. Tests inject a manual clock. */
export type Clock = () => number;

export function monotonicClock(): Clock {
  const anchorNs = Number(process.hrtime.bigint());
  const anchorMs = performance.now();
  return () => anchorNs + (performance.now() - anchorMs) * 1e6;
}

/** A clock for tests and simulations: time moves only when told. */
export class ManualClock {
  nowNs: number;
  constructor(startNs = 1_000_000_000) {
    this.nowNs = startNs;
  }
  readonly read: Clock = () => this.nowNs;
  advanceMs(ms: number): void {
    this.nowNs += ms * 1e6;
  }
}
