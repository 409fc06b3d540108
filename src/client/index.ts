/** `tensorpool/client`: the driver client (attach, keepalive, reattach) and announce tracking. docs/client.md. */
export { DriverClient } from './driver-client.js';
export type { ClientCounters } from './client-engine.js';
export { CLIENT_ID_TAKEN } from './client-engine.js';
export {
  CLIENT_DEFAULTS,
  type AttachOptions,
  type AttachPublishMode,
  type ClientState,
  type DriverClientEvents,
  type DriverClientOptions,
  type HugepagesRequest,
  type Lease,
  type LeaseLossCause,
  type LeaseRole,
} from './client-types.js';
export { AttachCancelledError, AttachRejectedError, ClientBusyError, ClientClosedError, ClientProtocolError, type ResponseCodeName } from './client-errors.js';
export {
  AnnounceTracker,
  type AnnounceTimeout,
  type AnnounceTrackerEvents,
  type AnnounceTrackerOptions,
  type AnnounceVerdict,
  type EpochChange,
  type StreamEpoch,
} from './announce-tracker.js';
export { checkAttachResponse, checkRegions, type AttachGrant, type HeaderRegion, type PoolRegion, type Regions, type RegionInfo } from './attach-response-check.js';
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { CorrelationIds, randomNonZeroU32 } from './correlation-ids.js';
export { ManualScheduler, realScheduler, type RandomSource, type Scheduler, type TimerHandle } from './scheduler.js';
export { TypedEmitter, type EventArgs, type Listener } from './typed-emitter.js';
export { ClientMachine } from './client-machine.js';
export { Producer, type ProducerCounters, type ProducerEvents, type ProducerOptions } from './producer.js';
export { Consumer, type ConsumerCounters, type ConsumerEvents, type ConsumerMode, type ConsumerOptions } from './consumer.js';
export { StreamMapping, leaseRegions, type StreamEpochRegions } from './stream-mapping.js';
