/**
 * The serving process's own health for the status document (docs/TRANSPORT.md §5): memory, CPU
 * time and event-loop delay, so an operator (or the soak in scripts/reliability) can see from
 * outside whether the driver keeps up — a lagging loop reads keepalives late, which is how a
 * healthy client's lease could expire (KEEPALIVE-03).
 *
 * The event-loop monitor is process-wide and opt-in (`startEventLoopMonitor`, which
 * `tensorpool driver` calls at startup): until it runs, `eventLoop` is null. Memory and CPU are
 * read on each call. Nothing here keeps the process alive (the window timer is unref'd).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** perf_hooks delay percentiles, in milliseconds (3 decimals). */
export interface DelayStats {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Number of delay samples (one per `resolutionMs` of loop time). */
  readonly samples: number;
}

export interface EventLoopFigures {
  /** The monitor's sampling period. */
  readonly resolutionMs: number;
  /** Length of the rolling windows of `lastWindow`. */
  readonly windowMs: number;
  /** Every sample since the monitor started (includes startup and attach bursts). */
  readonly sinceStart: DelayStats;
  /** The last complete window of `windowMs` (null until one has completed): the steady state. */
  readonly lastWindow: DelayStats | null;
}

export interface ProcessFigures {
  /** process.memoryUsage(), bytes. */
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number; readonly arrayBuffers: number };
  /** process.cpuUsage() since the process started, milliseconds. */
  readonly cpu: { readonly userMs: number; readonly systemMs: number };
  readonly eventLoop: EventLoopFigures | null;
}

export const DEFAULT_LOOP_RESOLUTION_MS = 10;
export const DEFAULT_LOOP_WINDOW_MS = 5000;

const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;

function stats(h: IntervalHistogram): DelayStats {
  // An empty histogram reports min = 2^63 and mean = NaN; its figures are all zero instead.
  if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, samples: 0 };
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean), samples: h.count };
}

class EventLoopMonitor {
  private readonly total: IntervalHistogram;
  private readonly window: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private last: DelayStats | null = null;

  constructor(
    readonly resolutionMs: number,
    readonly windowMs: number,
  ) {
    // Two histograms over the same loop: one never reset, one reset per window.
    this.total = monitorEventLoopDelay({ resolution: resolutionMs });
    this.window = monitorEventLoopDelay({ resolution: resolutionMs });
    this.total.enable();
    this.window.enable();
    this.timer = setInterval(() => {
      this.last = stats(this.window);
      this.window.reset();
    }, windowMs);
    this.timer.unref();
  }

  figures(): EventLoopFigures {
    return { resolutionMs: this.resolutionMs, windowMs: this.windowMs, sinceStart: stats(this.total), lastWindow: this.last };
  }

  stop(): void {
    clearInterval(this.timer);
    this.total.disable();
    this.window.disable();
  }
}

let monitor: EventLoopMonitor | null = null;

/** Starts the process-wide event-loop monitor; a second call keeps the running one. */
export function startEventLoopMonitor(resolutionMs = DEFAULT_LOOP_RESOLUTION_MS, windowMs = DEFAULT_LOOP_WINDOW_MS): void {
  if (monitor === null) monitor = new EventLoopMonitor(resolutionMs, windowMs);
}

export function stopEventLoopMonitor(): void {
  monitor?.stop();
  monitor = null;
}

/** This process's figures now. */
export function processFigures(): ProcessFigures {
  const m = process.memoryUsage();
  const c = process.cpuUsage();
  return {
    memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers },
    cpu: { userMs: Math.round(c.user / 1000), systemMs: Math.round(c.system / 1000) },
    eventLoop: monitor === null ? null : monitor.figures(),
  };
}
