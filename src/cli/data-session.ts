/**
 * What `produce` and `consume` share: the driver's channel and the directories its regions may
 * lie in (both from --control/--config and the environment, as `status` resolves them), the
 * client's announce period, an attach deadline (the client retries a missing driver forever;
 * a command must not), and the stop signals.
 */
import type { DriverClientOptions } from '../client/client-types.js';
import type { ControlConnection } from '../transport/control-connection.js';
import { connectUnix } from '../transport/unix-socket-client.js';
import { UsageError } from './cli-errors.js';
import { resolveChannel, resolveClientConfig } from './resolve-channel.js';

export interface DataSession {
  readonly channel: string;
  readonly allowedBaseDirs: readonly string[];
  readonly connect: () => Promise<ControlConnection>;
  readonly clientOptions: Omit<DriverClientOptions, 'connect' | 'scheduler'>;
}

export function dataSession(control: string | undefined, configFile: string | undefined): DataSession {
  // --control is checked first (a bad one is a usage error); the config is loaded once either way.
  const given = control === undefined ? undefined : resolveChannel(control, undefined);
  const config = resolveClientConfig(configFile);
  const channel = given ?? config.driver.controlChannel;
  return {
    channel,
    allowedBaseDirs: config.shm.allowedBaseDirs,
    connect: () => connectUnix(channel),
    clientOptions: { announcePeriodMs: config.policies.announcePeriodMs, keepaliveIntervalMs: config.policies.leaseKeepaliveIntervalMs },
  };
}

/** A stream id option: a u32. */
export function parseStreamId(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--stream ID is required');
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) throw new UsageError(`--stream must be a u32, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Resolves `open` or rejects after `ms` (a driver that never answers is a runtime failure). */
export async function withDeadline<T>(open: Promise<T>, ms: number, what: string, onLate: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new Error(`${what}: no lease within ${ms} ms (is a driver running there?)`));
    }, ms);
  });
  // A lease granted after the deadline is given back rather than leaked.
  void open.then((v) => (late ? onLate(v) : undefined), () => undefined);
  try {
    return await Promise.race([open, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves on the first SIGINT/SIGTERM; the returned function removes the handlers. */
export function onStopSignal(stop: () => void): () => void {
  const handler = (): void => stop();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
