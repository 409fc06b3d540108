/**
 * What the data bench's consumers do with every frame (issue 6: "consumer touching every byte"):
 * an XOR over the payload as int32 words, so every byte is loaded. Int32Array only: one element
 * kind keeps the loop monomorphic, and int32 elements stay small integers in optimised code
 * (uint32 above 2^31 would become doubles). Four independent XOR chains: the loop is bound by
 * loads, not by one dependency chain.
 */
export function touch(words: Int32Array, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a ^= words[i] as number;
    b ^= words[i + 1] as number;
    c ^= words[i + 2] as number;
    d ^= words[i + 3] as number;
  }
  for (; i < n; i++) a ^= words[i] as number;
  return a ^ b ^ c ^ d;
}
