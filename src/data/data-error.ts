import { TensorpoolError } from '../errors.js';

/**
 * Programming errors of the data plane: a bad geometry handed to a writer or reader, a tensor
 * description the spec would make consumers drop, a claim used out of turn. Frames that fail the
 * spec's checks at run time are never errors: they are counted drops (SHM_LAYOUT.md §5.3 step 8).
 */
export class DataError extends TensorpoolError {}

export const DATA_BAD_GEOMETRY = 'TP_ERR_DATA_BAD_GEOMETRY';
export const DATA_BAD_TENSOR = 'TP_ERR_DATA_BAD_TENSOR';
export const DATA_BAD_ARGUMENT = 'TP_ERR_DATA_BAD_ARGUMENT';
export const DATA_CLAIM_STATE = 'TP_ERR_DATA_CLAIM_STATE';

export function dataError(code: string, message: string): DataError {
  return new DataError(code, message);
}
