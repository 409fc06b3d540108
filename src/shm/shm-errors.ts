/**
 * Errors of the SHM layer. Each has a stable code (never reused with another meaning); the driver
 * maps provisioning failures to the attach response code INTERNAL_ERROR (SHM_LAYOUT.md §12.1) and
 * a consumer treats any of them as "region rejected, never mapped" (§8.2, §10.1).
 */
import { TensorpoolError } from '../errors.js';

/** A `shm:file` URI that breaks the §8.1 grammar or a §8.2 rejection rule. */
export class ShmUriError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_URI', message);
  }
}

/**
 * A path outside `shm.allowed_base_dirs`, not absolute, not normalised, or with a symlink or
 * non-directory component below its allowed base (§10, FS-01).
 */
export class ShmContainmentError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_CONTAINMENT', message);
  }
}

/** `require_hugepages` is set but the path is not (or cannot be shown to be) on hugetlbfs (§8.2 rule 4, §10.2 step 2). */
export class ShmHugepagesError extends TensorpoolError {
  constructor(message: string) {
    super('TP_ERR_SHM_HUGEPAGES', message);
  }
}

/** Creating, sizing or initialising an epoch's backing files failed (§10.2); nothing of the epoch is left behind. */
export class ShmProvisionError extends TensorpoolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TP_ERR_SHM_PROVISION', message, options);
  }
}

/** Node's errno code of a failed fs call, or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
