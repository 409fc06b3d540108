/**
 * Counters of the socket server (docs/TRANSPORT.md §6): every closed connection and dropped frame
 * has a count, next to the driver's own counters in `tensorpool status`.
 */
export class TransportCounters {
  connectionsAccepted = 0;
  connectionsClosed = 0;
  /** Connections closed for a bad length prefix (N < 8 or N > 64 KiB). */
  protocolErrors = 0;
  /** Connections closed because their outbound queue passed the bound (a reader too slow). */
  slowReaderCloses = 0;
  framesIn = 0;
  framesOut = 0;
  /** Of framesOut, those the kernel took directly, without a queued copy (socket-frame-output.ts). */
  framesOutDirect = 0;
  bytesIn = 0;
  bytesOut = 0;
  statusRequests = 0;
  /** Admin-schema frames that were not a well-formed StatusRequest (dropped). */
  adminErrors = 0;
  /** Unicast frames whose connection had already closed. */
  undeliverable = 0;

  snapshot(): Record<string, number> {
    return Object.fromEntries(Object.entries(this)) as Record<string, number>;
  }
}
