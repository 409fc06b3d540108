/**
 * Exponential backoff with jitter for reattaching (CLIENT-11, REVOKE-08, SHUTDOWN-05).
 *
 * Delay of attempt n (0-based): d = min(maxMs, initialMs × multiplier^n); the wait is drawn
 * uniformly from [d × (1 − jitter), d] ("equal jitter" at 0.5), so clients that lost the same
 * driver do not all come back in the same millisecond. `reset()` after a lease is granted.
 */
import type { RandomSource } from './scheduler.js';

export interface BackoffOptions {
  /** First delay (RI backoff after reject/timeout/revoke: 10 ms, CLIENT-11). */
  readonly initialMs: number;
  /** Ceiling of the delay. */
  readonly maxMs: number;
  readonly multiplier: number;
  /** Fraction of the delay that is random, 0..1. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 10, maxMs: 5_000, multiplier: 2, jitter: 0.5 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: RandomSource,
  ) {
    if (!(options.initialMs >= 0) || !(options.maxMs >= options.initialMs) || !(options.multiplier >= 1) || !(options.jitter >= 0 && options.jitter <= 1)) {
      throw new RangeError(`invalid backoff options ${JSON.stringify(options)}`);
    }
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The next delay in ms; each call counts one attempt. */
  next(): number {
    const o = this.options;
    const d = Math.min(o.maxMs, o.initialMs * o.multiplier ** this.attempt);
    this.attempt++;
    return d * (1 - o.jitter * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
