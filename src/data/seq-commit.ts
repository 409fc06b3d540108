/**
 * The `seq_commit` word (SHM_LAYOUT.md §5.1): `(S << 1)` while frame S is being written,
 * `(S << 1) | 1` once committed. Stored little-endian at offset 0 of each 256-byte header slot,
 * 8-byte aligned (§3.1).
 *
 * Two ways to access it, chosen per writer/reader (`AtomicWordMode`):
 *
 * - `'bigint64'`: the spec's literal form, one 8-byte `Atomics.load` / `Atomics.store` on the
 *   region's BigInt64Array. V8 (Node 20) allocates a bigint for every load and for every value
 *   stored (≈24–40 B per access, measured in docs/data/README.md).
 * - `'split32'` (default): the same word through an Int32Array over the same memory, with
 *   allocation-free 4-byte `Atomics` on its halves (lo at index 2k, hi at 2k+1: little-endian).
 *   Exact because, for one producer, the word of a slot only grows (§5.1, §5.4: S is monotonic):
 *   * store: the writer changes only the low half whenever the high half stays the same (every
 *     frame except one in 2^31 per slot, and the first write of each slot, which use the 8-byte
 *     store). A 4-byte aligned atomic store that leaves the other 4 bytes alone is seen by every
 *     reader, 8-byte loads in other languages included, as the old word or the new word, never a
 *     mix: the same guarantee as the 8-byte store.
 *   * load: hi, lo, hi again. If both hi reads agree, hi did not change in between (the word only
 *     grows), so (hi, lo) was the word at the moment lo was read: an exact snapshot. If they
 *     differ the word moved while being read, which the reader treats as a changed word (a drop).
 *
 * Sequence numbers are JavaScript numbers up to MAX_SEQ (2^52 − 1), so every word `2S + 1` is an
 * exact number too.
 */

export type AtomicWordMode = 'split32' | 'bigint64';

/** Largest sequence number whose commit word `2S + 1` is an exact number. */
export const MAX_SEQ = 2 ** 52 - 1;

const TWO_31 = 2147483648;
const TWO_32 = 4294967296;

/** Int32 index of the low half of the seq_commit word of header slot `slot`: (64 + slot × 256) / 4. */
export function wordLoIndex(slot: number): number {
  return 16 + slot * 64;
}

/** BigInt64 index of the seq_commit word of header slot `slot`: (64 + slot × 256) / 8. */
export function wordIndex(slot: number): number {
  return 8 + slot * 32;
}

/** Low half (as int32) of the in-progress word `S << 1`; the committed word's low half is this + 1. */
export function writingLo(seq: number): number {
  return ((seq % TWO_31) * 2) | 0;
}

/** High half of both words of frame S: floor(2S / 2^32). */
export function wordHi(seq: number): number {
  return Math.floor(seq / TWO_31);
}

/** The in-progress word of S as a bigint (allocates). */
export function writingWord(seq: number): bigint {
  return BigInt(seq) << 1n;
}

/** The committed word of S as a bigint (allocates). */
export function committedWord(seq: number): bigint {
  return (BigInt(seq) << 1n) | 1n;
}

/** True when the word whose low half is at `lo32` equals (hi, lo): hi, lo, hi loads (see above). */
export function wordEquals(i32: Int32Array, lo32: number, lo: number, hi: number): boolean {
  return Atomics.load(i32, lo32 + 1) === hi && Atomics.load(i32, lo32) === lo && Atomics.load(i32, lo32 + 1) === hi;
}

/** The word at `lo32` as an exact number (hi, lo, hi loads), or -1 if it changed while read. */
export function loadWord(i32: Int32Array, lo32: number): number {
  const hi = Atomics.load(i32, lo32 + 1);
  const lo = Atomics.load(i32, lo32);
  return Atomics.load(i32, lo32 + 1) === hi ? (hi >>> 0) * TWO_32 + (lo >>> 0) : -1;
}

/** The Int32Array over the same memory as `words` (for the split32 accesses). */
export function int32Over(words: BigInt64Array): Int32Array {
  return new Int32Array(words.buffer, words.byteOffset, words.length * 2);
}
