/** Control-plane transports: how clients' SBE frames reach a driver and back (docs/TRANSPORT.md). */
export { InProcessConnection, InProcessTransport, type FrameHandler } from './in-process.js';
export type { ControlConnection } from './control-connection.js';
export { TransportError, TransportErrorCode } from './transport-error.js';
export { parseChannel, type UnixChannel } from './channel.js';
export {
  encodeFrame,
  LengthPrefixDecoder,
  LENGTH_PREFIX_BYTES,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
  type FrameSink,
} from './length-prefix-framing.js';
export {
  ADMIN_SCHEMA_ID,
  ADMIN_SCHEMA_VERSION,
  STATUS_REQUEST_TEMPLATE_ID,
  STATUS_RESPONSE_TEMPLATE_ID,
  MAX_STATUS_DOCUMENT_BYTES,
  decodeAdminRequest,
  decodeStatusResponse,
  encodeStatusRequest,
  encodeStatusResponse,
  isAdminMessage,
  type AdminRequest,
  type StatusResponse,
} from './admin-codec.js';
export type { StatusDocument, StatusLease, StatusStream } from './status-document.js';
export {
  processFigures,
  startEventLoopMonitor,
  stopEventLoopMonitor,
  type DelayStats,
  type EventLoopFigures,
  type ProcessFigures,
} from './process-figures.js';
export { TransportCounters } from './transport-counters.js';
export {
  DriverServer,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_OUTBOUND_BYTES,
  DEFAULT_SOCKET_MODE,
  DEFAULT_TICK_INTERVAL_MS,
  type DriverServerOptions,
  type ServerLogger,
  type ServerLogLevel,
} from './unix-socket-server.js';
export { connectUnix, UnixControlConnection, type ConnectOptions } from './unix-socket-client.js';
export { requestStatus, encodeShutdownRequest } from './admin-client.js';
export { claimSocketPath, SOCKET_DIR_MODE } from './unix-socket-path.js';
