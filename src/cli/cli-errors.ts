/**
 * How the command fails: a UsageError (bad arguments: exit 2) or anything else (a runtime
 * failure: exit 1). Either way the user gets one line on stderr (docs/cli.md "Exit codes").
 */
import { TensorpoolError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_CLI_USAGE', message);
  }
}

/** One line: multi-line messages (e.g. from a nested cause) are joined so the contract holds. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
