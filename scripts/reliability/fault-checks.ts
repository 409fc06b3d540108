/**
 * The invariants the fault-injection suite checks after every fault (issue 7): epochs never reused,
 * consumers fail closed (no torn frame, no frame of an epoch they do not have mapped, no seq going
 * back within an epoch), errors on one line with a TP_ERR_ code where the API has one.
 *
 * Rule ids: EPOCH-06/EPOCH-08 (epochs strictly increase per stream, also across driver restarts:
 * the on-disk floor in src/shm/epoch-floor.ts), SHM_LAYOUT §5.3/§5.4 (seqlock: a frame handed out
 * and still valid is intact), EPOCH-02 (a consumer remaps only to a higher epoch).
 */
import type { ClientLine } from '../../test/system/system-harness.js';

/**
 * Epochs per (source, stream). A source is one ordered view of a stream's epochs: the observer
 * connection (across driver restarts), the sequence of producer processes, one consumer process.
 * Within a source an epoch may repeat (periodic announces) but never go back; the distinct epochs
 * of a stream, in the order a source first saw them, are therefore strictly increasing, which is
 * "never reused".
 */
export class EpochLedger {
  private readonly last = new Map<string, bigint>();
  /** Every distinct epoch seen per stream, any source. */
  readonly distinct = new Map<number, Set<bigint>>();

  constructor(private readonly violation: (what: string) => void) {}

  note(source: string, streamId: number, epoch: bigint): void {
    const key = `${source}/${streamId}`;
    const prev = this.last.get(key);
    if (prev !== undefined && epoch < prev) {
      this.violation(`epoch reused or went back: ${source} saw stream ${streamId} epoch ${epoch} after ${prev} (EPOCH-08)`);
    }
    if (prev === undefined || epoch > prev) this.last.set(key, epoch);
    let set = this.distinct.get(streamId);
    if (set === undefined) this.distinct.set(streamId, (set = new Set()));
    set.add(epoch);
  }

  /** The highest epoch any source has seen for the stream (0n: none). */
  highest(streamId: number): bigint {
    let max = 0n;
    for (const e of this.distinct.get(streamId) ?? []) if (e > max) max = e;
    return max;
  }

  count(): number {
    let n = 0;
    for (const s of this.distinct.values()) n += s.size;
    return n;
  }
}

export interface FrameCounts {
  frames: number;
  /** Handed out, failed the pattern, still valid: the seqlock failed (must stay 0). */
  torn: number;
  /** Handed out, then found overwritten by `stillValid()`: the consumer noticed (allowed). */
  overwritten: number;
}

/**
 * Reads one data-consumer fixture's lines (test/system/fixtures/data-consumer.ts) incrementally
 * and reports every frame that breaks fail-closed delivery.
 */
export class ConsumerCheck {
  private cursor = 0;
  private mapped: bigint | null = null;
  private lastSeq = -1;

  constructor(
    readonly name: string,
    private readonly streamId: number,
    private readonly ledger: EpochLedger,
    private readonly counts: FrameCounts,
    private readonly violation: (what: string) => void,
  ) {}

  /** Checks the lines that arrived since the last call. */
  scan(lines: readonly ClientLine[]): void {
    for (; this.cursor < lines.length; this.cursor++) {
      const l = lines[this.cursor] as ClientLine;
      if (l.event === 'mapped') {
        const e = BigInt(String(l['epoch']));
        this.ledger.note(this.name, this.streamId, e);
        if (this.mapped === null || e !== this.mapped) this.lastSeq = -1;
        this.mapped = e;
      } else if (l.event === 'unmapped') {
        this.mapped = null;
      } else if (l.event === 'frame') {
        this.frame(l);
      }
    }
  }

  private frame(l: ClientLine): void {
    this.counts.frames++;
    const seq = Number(l['seq']);
    const epoch = String(l['epoch']);
    const bad = Number(l['bad']);
    if (l['valid'] !== true) this.counts.overwritten++;
    else if (bad !== -1) {
      this.counts.torn++;
      this.violation(`${this.name}: torn frame delivered as valid: epoch ${epoch} seq ${seq} breaks the pattern at byte ${bad}`);
    }
    if (this.mapped === null || epoch !== this.mapped.toString()) {
      this.violation(`${this.name}: frame of epoch ${epoch} seq ${seq} delivered while mapped to ${this.mapped ?? 'nothing'}`);
    }
    if (seq <= this.lastSeq) this.violation(`${this.name}: seq went back within epoch ${epoch}: ${seq} after ${this.lastSeq}`);
    this.lastSeq = seq;
  }
}

/**
 * A clear error: one non-empty line, and when `code` is given it appears (a TP_ERR_ code or a
 * spec response code name/number). Returns the problem, or undefined when it is clear.
 */
export function unclearError(text: string, code?: RegExp): string | undefined {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) return `expected one error line, got ${lines.length}: ${JSON.stringify(text.slice(0, 400))}`;
  if (code !== undefined && !code.test(lines[0] as string)) return `error line lacks ${code}: ${JSON.stringify(lines[0])}`;
  return undefined;
}

/** p-quantile of sorted-on-demand values (nearest rank); NaN when empty. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
}
