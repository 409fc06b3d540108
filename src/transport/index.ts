/** Control-plane transports: how clients' SBE frames reach a driver and back. */
export { InProcessConnection, InProcessTransport, type FrameHandler } from './in-process.js';
export type { ControlConnection } from './control-connection.js';
