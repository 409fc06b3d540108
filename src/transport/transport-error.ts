/**
 * Errors of the control-plane transports. Codes are stable (`TP_ERR_TRANSPORT_*`) so callers can
 * tell a protocol violation (the peer is broken: close it) from a channel or socket problem (the
 * operator must fix something) without matching message text.
 */
import { TensorpoolError } from '../errors.js';

export const TransportErrorCode = {
  /** A length prefix above MAX_FRAME_BYTES (64 KiB). */
  FRAME_TOO_LARGE: 'TP_ERR_TRANSPORT_FRAME_TOO_LARGE',
  /** A length prefix below MIN_FRAME_BYTES (8, one SBE message header). */
  FRAME_TOO_SMALL: 'TP_ERR_TRANSPORT_FRAME_TOO_SMALL',
  /** A channel string that is not `unix:<absolute path>`. */
  BAD_CHANNEL: 'TP_ERR_TRANSPORT_BAD_CHANNEL',
  /** The socket path or its directory is unsafe (symlink, not a socket, wrong owner, world-writable). */
  UNSAFE_PATH: 'TP_ERR_TRANSPORT_UNSAFE_PATH',
  /** Another driver answers on the socket. */
  IN_USE: 'TP_ERR_TRANSPORT_IN_USE',
  /** Connecting failed (no driver listening, permission denied, …). */
  CONNECT: 'TP_ERR_TRANSPORT_CONNECT',
  /** The connection is closed (locally or by the peer). */
  CLOSED: 'TP_ERR_TRANSPORT_CLOSED',
  /** No answer in time. */
  TIMEOUT: 'TP_ERR_TRANSPORT_TIMEOUT',
  /** An admin response that does not decode. */
  BAD_RESPONSE: 'TP_ERR_TRANSPORT_BAD_RESPONSE',
} as const;

export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export class TransportError extends TensorpoolError {
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
