/**
 * Client side of the admin query and of the administrative shutdown, for `tensorpool status`
 * and `tensorpool shutdown` (and anyone scripting a driver).
 */
import { randomBytes } from 'node:crypto';
import { ShmDriverShutdownRequestEncoder, type ShutdownReason } from '../sbe/index.js';
import { decodeStatusResponse, encodeStatusRequest } from './admin-codec.js';
import type { ControlConnection } from './control-connection.js';
import type { StatusDocument } from './status-document.js';
import { TransportError, TransportErrorCode } from './transport-error.js';

function newCorrelationId(): bigint {
  return randomBytes(8).readBigInt64LE(0);
}

/**
 * Sends a StatusRequest on `conn` and resolves with the driver's answer, ignoring broadcasts.
 * Rejects on timeout, on a malformed response, or when the connection closes first.
 */
export function requestStatus(conn: ControlConnection, timeoutMs = 5000): Promise<StatusDocument> {
  const correlationId = newCorrelationId();
  return new Promise((resolve, reject) => {
    const prevFrame = conn.onFrame;
    const prevClose = conn.onClose;
    const done = (): void => {
      clearTimeout(timer);
      conn.onFrame = prevFrame;
      conn.onClose = prevClose;
    };
    const timer = setTimeout(() => {
      done();
      reject(new TransportError(TransportErrorCode.TIMEOUT, `the driver did not answer the status request within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.onFrame = (frame) => {
      prevFrame?.(frame);
      let r;
      try {
        r = decodeStatusResponse(frame);
      } catch (e) {
        done();
        reject(e);
        return;
      }
      if (r === null || r.correlationId !== correlationId) return;
      done();
      try {
        resolve(JSON.parse(r.document) as StatusDocument);
      } catch (e) {
        reject(new TransportError(TransportErrorCode.BAD_RESPONSE, `status document is not JSON: ${(e as Error).message}`));
      }
    };
    conn.onClose = (cause) => {
      done();
      prevClose?.(cause);
      reject(cause ?? new TransportError(TransportErrorCode.CLOSED, 'the connection closed before the status response'));
    };
    conn.send(encodeStatusRequest(correlationId));
  });
}

/** Encodes a ShmDriverShutdownRequest (the driver answers nothing; it drains or ignores it). */
export function encodeShutdownRequest(token: string, reason: ShutdownReason, message: string): Uint8Array {
  const buf = new Uint8Array(8 + 9 + 4 + Buffer.byteLength(token) + 4 + Buffer.byteLength(message));
  const n = new ShmDriverShutdownRequestEncoder()
    .wrapAndApplyHeader(buf)
    .correlationId(newCorrelationId())
    .reason(reason)
    .token(token)
    .errorMessage(message)
    .finish();
  return buf.subarray(0, n);
}
