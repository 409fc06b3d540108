/**
 * Control-plane channel strings. tensorpool's control plane is a local stream socket, so the one
 * accepted form is `unix:<absolute path>` (spec CONFIG.md preamble); the rules are the config
 * loader's (`driver.control_channel`), reused so a channel a driver accepts is one a client
 * accepts.
 */
import { ValueProblem } from '../driver/config/config-error.js';
import { parseChannel as checkChannel } from '../driver/config/parse-driver-values.js';
import { TransportError, TransportErrorCode } from './transport-error.js';

export interface UnixChannel {
  readonly kind: 'unix';
  /** Absolute socket path. */
  readonly path: string;
  /** The channel string, as given. */
  readonly channel: string;
}

/** Parses `unix:<absolute path>`; anything else (`aeron:…`, relative paths, …) is a TransportError. */
export function parseChannel(channel: string): UnixChannel {
  try {
    checkChannel(channel);
  } catch (e) {
    if (e instanceof ValueProblem) {
      throw new TransportError(TransportErrorCode.BAD_CHANNEL, `control channel ${JSON.stringify(channel)} ${e.message}`, { cause: e });
    }
    throw e;
  }
  return { kind: 'unix', path: channel.slice('unix:'.length), channel };
}
