/**
 * `tensorpool/driver`: the embeddable driver — fed control frames and a clock, it emits frames
 * to a sink (docs/driver/README.md) — with its configuration loader and SHM backend.
 */
export { Driver, type DriverLogger, type DriverOptions, type DriverSnapshot } from './driver.js';
export { BROADCAST, MAX_ERROR_MESSAGE, type DriverSink } from './outbox.js';
export { DriverCounters } from './driver-counters.js';
export { ManualClock, monotonicClock, type Clock } from './clock.js';
export { FsShmBackend } from './fs-shm-backend.js';
// Aliased: src/shm has its own (richer) ProvisionedEpoch with file paths and sizes.
export type {
  ProvisionedEpoch as BackendEpoch,
  ProvisionedPool as BackendPool,
  ProvisionedRegion as BackendRegion,
  ShmBackend,
} from './shm-backend.js';
export { DriverHsm } from './machines/driver-hsm.js';
export { LeaseHsm } from './machines/lease-hsm.js';
export { StreamHsm } from './machines/stream-hsm.js';
export * from './config/index.js';
