/**
 * Driver counters: every drop, rejection and notable event is counted (never silently lost).
 * Plain numeric fields so incrementing allocates nothing; `snapshot()` copies them for status.
 */
export class DriverCounters {
  framesReceived = 0;
  /** Frames that failed to decode (truncated, bad lengths, garbage). */
  decodeErrors = 0;
  /** Well-formed frames of a schema or template the driver does not handle. */
  unknownMessages = 0;
  /** Driver-schema messages with a version above 1 (other than attach, which is answered). */
  unsupportedVersion = 0;
  attachOk = 0;
  attachRejected = 0;
  detachOk = 0;
  detachRejected = 0;
  keepalives = 0;
  /** Keepalives whose leaseId, streamId, clientId or role did not match an active lease. */
  keepalivesDropped = 0;
  leasesExpired = 0;
  leasesDetached = 0;
  leasesRevoked = 0;
  epochBumps = 0;
  provisionFailures = 0;
  /** Consumer attaches that found the current epoch's region files deleted or truncated (a new epoch followed). */
  regionsLost = 0;
  announcesSent = 0;
  shutdownRequestsIgnored = 0;
  consumerHellosIgnored = 0;
  /** FrameDescriptors relayed from a stream's producer connection to its consumer connections. */
  frameDescriptorsRelayed = 0;
  /** FrameDescriptors dropped: the sending connection holds no PRODUCER lease on the stream (OWN-08). */
  frameDescriptorsDropped = 0;
  consumerConfigsSent = 0;
  /** Exceptions from the driver's own code while handling a message (bugs; logged). */
  internalErrors = 0;
  /** Messages received after the driver stopped. */
  droppedAfterStop = 0;

  snapshot(): Record<string, number> {
    return Object.fromEntries(Object.entries(this)) as Record<string, number>;
  }
}
