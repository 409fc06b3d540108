/**
 * tensorpool: the public API. Each room is also a subpath export, the tiers of the API:
 * `tensorpool/hsm` (the state machine engine, standalone), `tensorpool/sbe` (codecs),
 * `tensorpool/shm` (shared-memory layout), `tensorpool/driver`, `tensorpool/transport`, `tensorpool/client`.
 */
export * from './hsm/index.js';
export * from './sbe/index.js';
export * from './shm/index.js';
export * from './driver/index.js';
export * from './transport/index.js';
export * from './client/index.js';
export { TensorpoolError } from './errors.js';
