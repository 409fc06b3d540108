/**
 * What the data bench's consumers do with every frame (issue 6: "consumer touching every byte"):
 * a sum of the payload as float64 values, so every byte is loaded, eight per load — the widest
 * load JavaScript has (an int32 XOR loads four and reached about half the rate; BigInt64 loads
 * would allocate). The frames are float64 tensors, the common dtype of model inputs, filled with
 * small finite values, so no load meets a denormal or NaN (data-dependent slow paths). Four
 * independent chains: the loop is bound by loads, not by one chain of additions.
 */
export function touch(values: Float64Array, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += values[i] as number;
    b += values[i + 1] as number;
    c += values[i + 2] as number;
    d += values[i + 3] as number;
  }
  for (; i < n; i++) a += values[i] as number;
  return a + b + c + d;
}

/** A frame's payload for the bench: small finite float64 values (see `touch`). */
export function benchPayload(length: number): Float64Array {
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = (i % 1024) * 0.25;
  return values;
}
