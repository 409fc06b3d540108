/** A `tensorpool` subcommand: its help text and its run function (resolves to the exit code). */
import { UsageError } from './cli-errors.js';

export interface Command {
  readonly name: string;
  /** One line for `tensorpool --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Every command takes `--help`/`-h` (spread into its node:util parseArgs options). */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Runs a node:util parseArgs call (strict) and turns its errors into UsageErrors (exit 2) that
 * name the command. Takes the call rather than the options so its precise result type is
 * inferred at the call site.
 */
export function parseCommandArgs<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see tensorpool ${command} --help)`);
  }
}

/** A non-negative integer option value, or a UsageError naming the option. */
export function parseCount(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--${option} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}
