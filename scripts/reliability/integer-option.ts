/**
 * The integer options of the reliability programs (`--frames 1000000`, `--clients 1000`, …): the
 * default when absent, else an integer in [min, max] or a RangeError naming the option, which the
 * programs print as their one-line usage error.
 */
export function integerOption(name: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`--${name} must be an integer ${range}, got ${JSON.stringify(text)}`);
  }
  return n;
}
