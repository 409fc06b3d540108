/**
 * The verification pattern of `tensorpool produce` (issue 6): payload byte i of the frame with
 * logical sequence `seq` is `(seq * 31 + i) & 0xFF`, so any peer can check a frame without
 * knowing anything else about the producer. Exact for every safe-integer seq.
 */

/** `(seq * 31) & 0xFF` computed without leaving the exact integer range. */
function patternBase(seq: number): number {
  return ((seq % 256) * 31) & 0xff;
}

/** The expected value of byte `i` of frame `seq`. */
export function patternByte(seq: number, i: number): number {
  return (patternBase(seq) + i) & 0xff;
}

/** Fills `bytes` with the pattern of frame `seq` (one 256-byte period, then doubling copies). */
export function fillPattern(bytes: Uint8Array, seq: number): void {
  const base = patternBase(seq);
  const n = bytes.length;
  const first = n < 256 ? n : 256;
  for (let i = 0; i < first; i++) bytes[i] = (base + i) & 0xff;
  for (let done = first; done < n; done *= 2) bytes.copyWithin(done, 0, n - done < done ? n - done : done);
}

/** Index of the first byte of `bytes` that breaks the pattern of frame `seq`, or -1 if none does. */
export function verifyPattern(bytes: Uint8Array, seq: number): number {
  let expected = patternBase(seq);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== expected) return i;
    expected = (expected + 1) & 0xff;
  }
  return -1;
}
