/**
 * `tensorpool/sbe`: byte-exact, allocation-free SBE flyweight codecs for the driver control schema
 * (id 901) and the wire schema (id 900). See docs/sbe/CODECS.md.
 */
export * from './sbe-error.js';
export * from './message-header.js';
export * from './null-values.js';
export { GROUP_DIMENSION_SIZE, GROUP_MAX_COUNT } from './group-dimension.js';
export { VAR_DATA_LENGTH_SIZE, VAR_DATA_MAX_LENGTH } from './var-data.js';
export * from './driver/index.js';
export * from './wire/index.js';
