/**
 * The control channel a client command talks to: `--control` if given, else the one a driver
 * started with the same environment (and `--config` file) would listen on, as computed by the
 * config loader — so DRIVER_CONTROL_CHANNEL, SHM_BASE_DIR and SHM_NAMESPACE work unchanged.
 */
import { loadConfig } from '../driver/config/load-config.js';
import type { DriverConfig } from '../driver/config/driver-config.js';
import { parseChannel } from '../transport/channel.js';
import { TransportError } from '../transport/transport-error.js';
import { UsageError } from './cli-errors.js';

export function resolveClientConfig(configFile: string | undefined): DriverConfig {
  return loadConfig({ env: process.env, ...(configFile === undefined ? {} : { file: configFile }) });
}

/** `--control` if given (a bad one is a usage error, exit 2), else the derived default. */
export function resolveChannel(control: string | undefined, configFile: string | undefined): string {
  if (control === undefined) return resolveClientConfig(configFile).driver.controlChannel;
  try {
    return parseChannel(control).channel;
  } catch (e) {
    if (e instanceof TransportError) throw new UsageError(`--control: ${e.message}`);
    throw e;
  }
}
