/**
 * The one error base class of tensorpool (outside the standalone HSM engine, which has its own
 * `HsmError` so that `tensorpool/hsm` depends on nothing else in the package).
 *
 * Every error carries a stable `code` (`TP_ERR_…`) that programs may switch on; messages are for
 * people and say what to do. Codes never change meaning once released.
 */
export class TensorpoolError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
