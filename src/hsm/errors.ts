/**
 * Errors of the HSM engine. `tensorpool/hsm` stands alone (it imports nothing from the rest of
 * the package), so it has its own base class; the codes follow the project's `TP_ERR_` scheme.
 */
export type HsmErrorCode =
  | 'TP_ERR_HSM_DEFINITION'
  | 'TP_ERR_HSM_NOT_STARTED'
  | 'TP_ERR_HSM_ALREADY_STARTED'
  | 'TP_ERR_HSM_REENTRANT_DISPATCH'
  | 'TP_ERR_HSM_TRANSITION_IN_ACTION'
  | 'TP_ERR_HSM_QUEUE_FULL'
  | 'TP_ERR_HSM_COMPLETED'
  | 'TP_ERR_HSM_TERMINATED'
  | 'TP_ERR_HSM_FAULTED'
  | 'TP_ERR_HSM_UNKNOWN_EVENT'
  | 'TP_ERR_HSM_BAD_OUTCOME';

export class HsmError extends Error {
  readonly code: HsmErrorCode;

  constructor(code: HsmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The machine definition is invalid; the message names the offending state. */
export class HsmDefinitionError extends HsmError {
  readonly machine: string;
  constructor(machine: string, message: string) {
    super('TP_ERR_HSM_DEFINITION', `machine '${machine}': ${message}`);
    this.machine = machine;
  }
}

/** Run-to-completion was violated: dispatch from inside a handler or action. */
export class HsmReentrancyError extends HsmError {
  constructor(machine: string, event: string) {
    super(
      'TP_ERR_HSM_REENTRANT_DISPATCH',
      `machine '${machine}': dispatch of '${event}' while another event is being processed; ` +
        `use post() to queue it for after the current step`,
    );
  }
}

/** An entry or exit action tried to take a transition (returned a value). */
export class HsmActionTransitionError extends HsmError {
  constructor(machine: string, state: string, which: 'entry' | 'exit') {
    super(
      'TP_ERR_HSM_TRANSITION_IN_ACTION',
      `machine '${machine}': the ${which} action of '${state}' returned a value; entry and exit ` +
        `actions cannot take transitions — post() an event instead`,
    );
  }
}

/** The bounded post queue is full. */
export class HsmQueueFullError extends HsmError {
  constructor(machine: string, capacity: number) {
    super(
      'TP_ERR_HSM_QUEUE_FULL',
      `machine '${machine}': post queue full (${capacity} events); raise the queueCapacity option ` +
        `or post fewer events per step`,
    );
  }
}

/** The machine is not in a state that accepts events (not started, complete, terminated, faulted). */
export class HsmLifecycleError extends HsmError {}
