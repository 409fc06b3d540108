/** `tensorpool driver`: run a driver in the foreground until SIGINT/SIGTERM or a shutdown request. */
import { describeConfig } from '../driver/config/describe-config.js';
import { loadConfig } from '../driver/config/load-config.js';
import { startEventLoopMonitor } from '../transport/process-figures.js';
import { DriverServer } from '../transport/unix-socket-server.js';
import { EXIT_OK, UsageError } from './cli-errors.js';
import { parseArgs } from 'node:util';
import { HELP_OPTION, parseCommandArgs, type Command } from './command.js';
import { isLogLevel, jsonLogger } from './json-log.js';
import { socketModesFor } from './socket-modes.js';

/** Config keys whose value is a list: `--set key=a,b` gives ["a", "b"]. */
const LIST_KEYS: ReadonlySet<string> = new Set(['shm.allowed_base_dirs']);

export function parseSetOptions(values: readonly string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value (e.g. --set shm.namespace=test), got ${JSON.stringify(v)}`);
    const key = v.slice(0, eq);
    const value = v.slice(eq + 1);
    // Strings are converted like environment variables by the loader (CONFIG.md §1).
    overrides[key] = LIST_KEYS.has(key) ? value.split(',').filter((s) => s !== '') : value;
  }
  return overrides;
}

export const driverCommand: Command = {
  name: 'driver',
  summary: 'run a driver in the foreground',
  help: `Usage: tensorpool driver [--config FILE] [--set key=value ...] [--log-level LEVEL]

Runs a tensorpool driver in the foreground on its Unix control socket. With no options it uses
the built-in default configuration (one profile, stream 10000, dynamic streams 20000-29999)
under /dev/shm/tensorpool. Configuration precedence: --set > environment > --config file >
defaults (docs/driver/CONFIG.md).

Options:
  --config FILE        TOML configuration file
  --set key=value      override one [driver]/[shm]/[policies] key, e.g. --set shm.namespace=test
                       (repeatable; list keys take comma-separated values)
  --log-level LEVEL    debug, info (default), warn or error
  -h, --help           show this help

When ready it prints one line to stdout:
  tensorpool driver ready channel=unix:<path> namespace=<ns> instance=<id> pid=<pid>
Logs go to stderr, one JSON object per line. SIGINT/SIGTERM stop it gracefully (every client
gets ShmDriverShutdown, the socket file is removed) with exit code 0; a second signal exits at
once with code 1. A bad configuration exits with code 1 and one line naming the key.`,

  async run(argv) {
    const { values } = parseCommandArgs('driver', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          config: { type: 'string' },
          set: { type: 'string', multiple: true },
          'log-level': { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${driverCommand.help}\n`);
      return EXIT_OK;
    }
    const level = values['log-level'] ?? 'info';
    if (!isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error, got ${JSON.stringify(level)}`);
    const overrides = parseSetOptions(values.set ?? []);
    const log = jsonLogger(level);
    // A ConfigError propagates: its message names the key, the value and where it came from.
    const config = loadConfig({ env: process.env, overrides, ...(values.config === undefined ? {} : { file: values.config }) });
    // Event-loop delay for `tensorpool status` (TRANSPORT.md §5): a lagging loop reads keepalives late.
    startEventLoopMonitor();
    const server = await DriverServer.start({ config, log, ...socketModesFor(config.shm.permissionsMode) });
    // Logged once started, so a driver that cannot start prints only its one-line reason.
    log('info', 'driver.config', { config: describeConfig(config) });

    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log('error', 'driver.forced_exit', { signal });
        process.exit(1);
      }
      log('info', 'driver.signal', { signal });
      void server.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.write(
      `tensorpool driver ready channel=${server.channel} namespace=${config.shm.namespace} instance=${config.driver.instanceId} pid=${process.pid}\n`,
    );
    await server.stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log('info', 'driver.exit', { code: 0, state: server.driver.state });
    return EXIT_OK;
  },
};
