/** `tensorpool shutdown`: an administrative ShmDriverShutdownRequest (SHUTDOWN-02/07). */
import { ShutdownReason } from '../sbe/index.js';
import { encodeShutdownRequest, requestStatus } from '../transport/admin-client.js';
import type { UnixControlConnection } from '../transport/unix-socket-client.js';
import { connectUnix } from '../transport/unix-socket-client.js';
import { TensorpoolError } from '../errors.js';
import { EXIT_OK, UsageError } from './cli-errors.js';
import { parseArgs } from 'node:util';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { resolveChannel, resolveClientConfig } from './resolve-channel.js';

const REASONS: Readonly<Record<string, ShutdownReason>> = { normal: ShutdownReason.NORMAL, admin: ShutdownReason.ADMIN, error: ShutdownReason.ERROR };

/** Resolves once the driver closes the connection (it does so after ShmDriverShutdown), or rejects after `ms`. */
function closedWithin(conn: UnixControlConnection, ms: number): Promise<void> {
  if (conn.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TensorpoolError('TP_ERR_CLI_TIMEOUT', `the driver did not stop within ${ms} ms`)), ms);
    conn.onClose = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

export const shutdownCommand: Command = {
  name: 'shutdown',
  summary: 'ask a running driver to shut down (needs its policies.shutdown_token)',
  help: `Usage: tensorpool shutdown --token T [--reason normal|admin|error] [--message M]
                          [--control CHANNEL] [--config FILE] [--wait] [--timeout MS]

Sends a ShmDriverShutdownRequest. A driver whose policies.shutdown_token matches stops
accepting attaches, drains for policies.shutdown_timeout_ms, sends ShmDriverShutdown to every
client and exits; a wrong token is ignored by the driver (and counted), which this command
detects and reports as a failure.

Options:
  --token T            the driver's policies.shutdown_token. Default: the token the config
                       loader resolves (POLICIES_SHUTDOWN_TOKEN or --config FILE)
  --reason R           normal, admin (default) or error: carried to every client
  --message M          text carried to every client in ShmDriverShutdown
  --control CHANNEL    the driver's channel (default as for tensorpool status)
  --config FILE        take the default channel and token from this configuration file
  --wait               return only once the driver has stopped
  --timeout MS         give up after MS milliseconds (default 10000)
  -h, --help           show this help

Exit codes: 0 the driver is draining (or stopped, with --wait), 1 no driver, request ignored
or timeout, 2 bad arguments.`,

  async run(argv) {
    const { values } = parseCommandArgs('shutdown', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          token: { type: 'string' },
          reason: { type: 'string' },
          message: { type: 'string' },
          control: { type: 'string' },
          config: { type: 'string' },
          wait: { type: 'boolean' },
          timeout: { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${shutdownCommand.help}\n`);
      return EXIT_OK;
    }
    const reasonName = values.reason ?? 'admin';
    const reason = Object.hasOwn(REASONS, reasonName) ? REASONS[reasonName] : undefined;
    if (reason === undefined) throw new UsageError(`--reason must be normal, admin or error, got ${JSON.stringify(reasonName)}`);
    const timeoutMs = parseCount('timeout', values.timeout, 10_000);
    let token = values.token;
    let channel = values.control === undefined ? undefined : resolveChannel(values.control, undefined);
    if (token === undefined || channel === undefined) {
      const cfg = resolveClientConfig(values.config);
      token ??= cfg.policies.shutdownToken;
      channel ??= cfg.driver.controlChannel;
    }
    if (token === '') throw new UsageError('--token is required (the driver ignores shutdown requests without its policies.shutdown_token)');

    const conn = await connectUnix(channel, { timeoutMs });
    try {
      conn.send(encodeShutdownRequest(token, reason, values.message ?? ''));
      // Frames are handled in order, so this status already reflects the request.
      let state: string;
      try {
        state = (await requestStatus(conn, timeoutMs)).driver.state;
      } catch (e) {
        // The driver stopped at once (policies.shutdown_timeout_ms = 0) and closed the connection.
        if (!conn.closed) throw e;
        state = 'Stopped';
      }
      if (state === 'Running') {
        throw new TensorpoolError('TP_ERR_CLI_SHUTDOWN_IGNORED', `the driver at ${channel} ignored the request: wrong token, or it has no policies.shutdown_token`);
      }
      if (values.wait === true) {
        await closedWithin(conn, timeoutMs);
        process.stdout.write(`driver at ${channel} stopped\n`);
      } else {
        process.stdout.write(`driver at ${channel} is ${state === 'Stopped' ? 'stopped' : 'draining'}\n`);
      }
    } finally {
      conn.close();
    }
    return EXIT_OK;
  },
};
