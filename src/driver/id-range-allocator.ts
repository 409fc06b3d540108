/**
 * Round-robin allocation of ids from an inclusive range (STREAMID-08; per-consumer stream ids,
 * STREAMID-02): the next id after the last one handed out that is not in use, wrapping.
 */
import type { IdRange } from './config/driver-config.js';

export class IdRangeAllocator {
  private cursor: number;

  constructor(
    readonly range: IdRange,
    private readonly inUse: (id: number) => boolean,
  ) {
    this.cursor = range.start;
  }

  /** An unused id, or -1 when every id in the range is in use. */
  next(): number {
    const { start, end } = this.range;
    const span = end - start + 1;
    let id = this.cursor;
    for (let i = 0; i < span; i++) {
      const candidate = id;
      id = id === end ? start : id + 1;
      if (!this.inUse(candidate)) {
        this.cursor = id;
        return candidate;
      }
    }
    return -1;
  }
}
