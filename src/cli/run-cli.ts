/** The `tensorpool` command: dispatch, help, and the exit-code contract (docs/cli.md). */
import { oneLine, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cli-errors.js';
import type { Command } from './command.js';
import { consumeCommand } from './consume-command.js';
import { demoCommand } from './demo-command.js';
import { driverCommand } from './driver-command.js';
import { inspectCommand } from './inspect-command.js';
import { produceCommand } from './produce-command.js';
import { shutdownCommand } from './shutdown-command.js';
import { statusCommand } from './status-command.js';

const COMMANDS: readonly Command[] = [driverCommand, statusCommand, shutdownCommand, inspectCommand, produceCommand, consumeCommand, demoCommand];

export const MAIN_HELP = `Usage: tensorpool <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}
  help CMD   show the help of one command

Run \`tensorpool <command> --help\` for a command's options. Exit codes: 0 success,
1 runtime failure, 2 usage error. Documentation: docs/cli.md.`;

function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Runs one invocation; never throws: failures are one line on stderr and the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  let label = 'tensorpool';
  try {
    if (first === undefined) {
      process.stderr.write(`${MAIN_HELP}\n`);
      return EXIT_USAGE;
    }
    if (first === '--help' || first === '-h') {
      process.stdout.write(`${MAIN_HELP}\n`);
      return EXIT_OK;
    }
    if (first === 'help') {
      if (rest.length === 0) {
        process.stdout.write(`${MAIN_HELP}\n`);
        return EXIT_OK;
      }
      const c = find(rest[0] as string);
      if (c === undefined || rest.length > 1) throw new UsageError(`unknown command ${JSON.stringify(rest.join(' '))} (see tensorpool --help)`);
      process.stdout.write(`${c.help}\n`);
      return EXIT_OK;
    }
    const command = find(first);
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(first)} (see tensorpool --help)`);
    label = `tensorpool ${command.name}`;
    return await command.run(rest);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${label}: ${oneLine(message)}\n`);
    return e instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
