/**
 * Time for the client: a clock and one-shot timers, injected so that tests run on a manual
 * scheduler (no sleeps) and production on real timers.
 *
 * `now()` is **milliseconds of the host's monotonic clock** (CLOCK_MONOTONIC, fractional): the
 * clock every driver timestamp uses (DRIVER_RULES "Clock note"), divided by 1e6. Comparing an
 * `announceTimestampNs` or a `leaseExpiryTimestampNs` with `now() * 1e6` is therefore meaningful
 * on the same host (SHM_LAYOUT §7.5 freshness, CLIENT-17).
 */
import { performance } from 'node:perf_hooks';

/** An opaque timer handle (whatever the scheduler's setTimeout returned). */
export type TimerHandle = object | number;

export interface Scheduler {
  /** Monotonic milliseconds, same origin as CLOCK_MONOTONIC (see the module comment). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. Real timers are unref'd: they never keep a process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Uniform random numbers in [0, 1) (jitter, client ids, correlation seeds). Default Math.random. */
export type RandomSource = () => number;

/**
 * Real time. The clock anchors `performance.now()` to one `process.hrtime.bigint()` reading
 * (both are uv_hrtime, CLOCK_MONOTONIC) so it reads without allocating a bigint per call, as the
 * driver's clock does.
 */
export function realScheduler(): Scheduler {
  const anchorMs = Number(process.hrtime.bigint()) / 1e6;
  const perfAnchor = performance.now();
  return {
    now: () => anchorMs + (performance.now() - perfAnchor),
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms);
      // A client's keepalive or retry timer must not keep an otherwise finished process alive.
      t.unref();
      return t;
    },
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A scheduler for tests and simulations: time moves only in `advance`, which runs due timers
 * in (due time, creation) order with `now()` set to each timer's due time.
 */
export class ManualScheduler implements Scheduler {
  private nowMs: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: ManualTimer = { id: this.nextId++, due: this.nowMs + Math.max(0, ms), fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms` without running timers, as for a process that was not scheduled
   * (a stall): the timers that fell due meanwhile run late, at the next `advance`.
   */
  stall(ms: number): void {
    this.nowMs += ms;
  }

  /** Moves time forward by `ms`, running every timer that falls due (timers they set included). */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.due <= end && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      const run = next;
      this.timers = this.timers.filter((t) => t !== run);
      this.nowMs = Math.max(this.nowMs, run.due);
      run.fn();
    }
    this.nowMs = end;
  }
}
