/** tensorpool: the public API. Each room is also a subpath export (`tensorpool/hsm`, `tensorpool/sbe`). */
export * from './hsm/index.js';
export { TensorpoolError } from './errors.js';
