/** Typed errors of the driver client (stable `TP_ERR_*` codes, docs/client.md). */
import { TensorpoolError } from '../errors.js';
import { responseCodeName } from '../sbe/index.js';

/** Name of a ShmAttachResponse `code`, or UNKNOWN for a value outside the schema. */
export type ResponseCodeName = 'OK' | 'UNSUPPORTED' | 'INVALID_PARAMS' | 'REJECTED' | 'INTERNAL_ERROR' | 'UNKNOWN';

/** The driver answered an attach with `code ≠ OK` (ATTACH-06). */
export class AttachRejectedError extends TensorpoolError {
  /** The response code's name (`REJECTED`, `INVALID_PARAMS`, …). */
  readonly responseCode: ResponseCodeName;
  /** The raw response code. */
  readonly responseCodeValue: number;
  /** The driver's diagnostic, e.g. `stream not provisioned` (DRIVER_RULES §3.1). */
  readonly errorMessage: string;

  constructor(responseCodeValue: number, errorMessage: string) {
    const name = responseCodeName(responseCodeValue) ?? 'UNKNOWN';
    super('TP_ERR_ATTACH_REJECTED', `attach rejected by the driver: ${name}${errorMessage === '' ? '' : ` (${errorMessage})`}`);
    this.responseCode = name;
    this.responseCodeValue = responseCodeValue;
    this.errorMessage = errorMessage;
  }
}

/**
 * A driver message broke the protocol (CLIENT-01..06): an OK attach response with a null
 * required field, a bad URI, a malformed frame. The response was dropped (fail closed).
 */
export class ClientProtocolError extends TensorpoolError {
  /** The rule that was broken, e.g. `CLIENT-03`. */
  readonly rule: string;
  constructor(rule: string, message: string, options?: { cause?: unknown }) {
    super('TP_ERR_CLIENT_PROTOCOL', `${rule}: ${message}`, options);
    this.rule = rule;
  }
}

/** `attach()` while an attach or a lease is already in progress (CLIENT-10). */
export class ClientBusyError extends TensorpoolError {
  constructor(state: string) {
    super('TP_ERR_CLIENT_BUSY', `attach() needs an unattached client; this one is ${state} (one lease per client, CLIENT-10)`);
  }
}

/** A pending attach ended by `detach()` or `close()` before a lease was granted. */
export class AttachCancelledError extends TensorpoolError {
  constructor(why: string) {
    super('TP_ERR_ATTACH_CANCELLED', `attach cancelled: ${why}`);
  }
}

/** The client was closed. */
export class ClientClosedError extends TensorpoolError {
  constructor() {
    super('TP_ERR_CLIENT_CLOSED', 'the driver client is closed');
  }
}
