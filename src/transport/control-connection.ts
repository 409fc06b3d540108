/**
 * A client's end of a control-plane connection to a driver, whatever carries it (in-process
 * queue, Unix socket). Frames are whole SBE messages (8-byte header + body); the transport does
 * the framing.
 */
export interface ControlConnection {
  /** Sends one SBE message. The bytes are copied or written before this returns. */
  send(frame: Uint8Array): void;
  /** Every frame from the driver: responses to this connection and broadcasts. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Called once when the connection ends: `null` for a local close(), else the cause. */
  onClose: ((cause: Error | null) => void) | null;
  close(): void;
  readonly closed: boolean;
}
