/**
 * The driver client's state machine: DRIVER_RULES §17.1 (Unattached, Attaching, Attached,
 * Detaching, Backoff) plus Connecting (a connection is opened, or re-opened after a loss) and
 * Closed. Connecting, Attaching, Attached and Backoff are children of `Wanted` ("a lease is
 * wanted"), which holds the reactions they share: connection loss and ShmDriverShutdown back off
 * and reattach (SHUTDOWN-05/06), detach() cancels.
 *
 * | state | event | action | to |
 * |---|---|---|---|
 * | Unattached | AttachWanted | — | Connecting |
 * | Connecting | (entry) | reuse the open connection or connect() | |
 * | Connecting | Connected | — | Attaching |
 * | Connecting | ConnectFailed | emit disconnected | Backoff |
 * | Attaching | (entry) | send ShmAttachRequest (new correlationId), arm timeout + resend | |
 * | Attaching | ResendDue | resend the same request (CLIENT-11) | Attaching |
 * | Attaching | AttachOk (validated, CLIENT-01..05) | adopt the lease, resolve attach() | Attached |
 * | Attaching | AttachRejected, first attach | reject attach() with AttachRejectedError | Unattached |
 * | Attaching | AttachRejected, reattach | emit attach-failed | Backoff |
 * | Attaching | ClientIdTaken (auto id) | choose a new clientId (IDENTITY-05) | Backoff |
 * | Attaching | ProtocolError | drop the response, emit protocol-error (CLIENT-06) | Backoff |
 * | Attaching | AttachTimeout | — (CLIENT-11, ATTACH-15) | Backoff |
 * | Attached | (entry / exit) | start keepalives / stop them and invalidate the lease | |
 * | Attached | KeepaliveDue | send ShmLeaseKeepalive (CLIENT-12) | Attached |
 * | Attached | LeaseLost (own ShmLeaseRevoked, keepalive failure) | emit lease-lost (+ revoked) | Backoff |
 * | Attached | DetachWanted | send ShmDetachRequest | Detaching |
 * | Backoff | (entry) | arm the retry timer (exponential, jitter) | |
 * | Backoff | RetryDue | — | Connecting |
 * | Wanted | ConnectionLost | emit disconnected (+ lease-lost) | Backoff |
 * | Wanted | DriverShutdown | close the connection, emit shutdown (+ lease-lost) | Backoff |
 * | Wanted | DetachWanted | reject attach() with AttachCancelledError | Unattached |
 * | Detaching | DetachDone / DetachTimeout / ConnectionLost / DriverShutdown | resolve detach() | Unattached |
 * | any | Close | close the connection, settle promises | Closed |
 *
 * Events carry their payloads; everything the client does is in the ClientCore it drives.
 */
import { HANDLED, defineMachine, payload } from '../hsm/index.js';
import type { AttachGrant } from './attach-response-check.js';
import type { AttachRejectedError, ClientProtocolError } from './client-errors.js';
import type { ClientState, LeaseLossCause } from './client-types.js';

export interface ShutdownNotice {
  readonly reason: number;
  readonly message: string;
}

/** What the machine calls into (implemented by ClientEngine). */
export interface ClientCore {
  entered(state: ClientState): void;
  ensureConnection(): void;
  sendAttach(): void;
  resendAttach(): void;
  leaveAttaching(): void;
  grant(g: AttachGrant): void;
  isFirstAttach(): boolean;
  failAttach(e: AttachRejectedError): void;
  attachRefused(e: AttachRejectedError): void;
  rechooseClientId(): void;
  reportProtocolError(e: ClientProtocolError): void;
  startKeepalives(): void;
  keepalive(): void;
  invalidateLease(): void;
  leaseLost(cause: LeaseLossCause): void;
  beginDetach(): void;
  finishDetach(): void;
  cancelAttach(): void;
  settleDetachNow(): void;
  armRetry(): void;
  stopRetry(): void;
  connectionLost(cause: Error | null): void;
  driverShutdown(n: ShutdownNotice): void;
  closeAll(): void;
}

export const ClientMachine = defineMachine<ClientCore>('DriverClient')
  .events({
    AttachWanted: payload(),
    Connected: payload(),
    ConnectFailed: payload<Error>(),
    AttachOk: payload<AttachGrant>(),
    AttachRejected: payload<AttachRejectedError>(),
    ClientIdTaken: payload(),
    ProtocolError: payload<ClientProtocolError>(),
    AttachTimeout: payload(),
    ResendDue: payload(),
    KeepaliveDue: payload(),
    LeaseLost: payload<LeaseLossCause>(),
    DriverShutdown: payload<ShutdownNotice>(),
    ConnectionLost: payload<Error | null>(),
    RetryDue: payload(),
    DetachWanted: payload(),
    DetachDone: payload(),
    DetachTimeout: payload(),
    Close: payload(),
  })
  .states(
    {
      Unattached: {},
      Wanted: {},
      Connecting: { parent: 'Wanted' },
      Attaching: { parent: 'Wanted' },
      Attached: { parent: 'Wanted' },
      Backoff: { parent: 'Wanted' },
      Detaching: {},
      Closed: {},
    },
    { initial: 'Unattached' },
  )
  .build(
    {
      Root: { on: { Close: { target: 'Closed', effect: (c) => c.closeAll() } } },
      Unattached: {
        on: {
          AttachWanted: 'Connecting',
          DetachWanted: (c) => (c.settleDetachNow(), HANDLED),
          ConnectionLost: (c, cause) => (c.connectionLost(cause), HANDLED),
          DriverShutdown: (c, n) => (c.driverShutdown(n), HANDLED),
        },
      },
      Wanted: {
        on: {
          ConnectionLost: { target: 'Backoff', effect: (c, cause) => c.connectionLost(cause) },
          DriverShutdown: { target: 'Backoff', effect: (c, n) => c.driverShutdown(n) },
          DetachWanted: { target: 'Unattached', effect: (c) => c.cancelAttach() },
        },
      },
      Connecting: {
        entry: (c) => c.ensureConnection(),
        on: {
          Connected: 'Attaching',
          ConnectFailed: { target: 'Backoff', effect: (c, err) => c.connectionLost(err) },
        },
      },
      Attaching: {
        entry: (c) => c.sendAttach(),
        exit: (c) => c.leaveAttaching(),
        on: {
          ResendDue: (c) => (c.resendAttach(), HANDLED),
          AttachOk: { target: 'Attached', effect: (c, g) => c.grant(g) },
          AttachRejected: [
            { guard: (c) => c.isFirstAttach(), target: 'Unattached', effect: (c, e) => c.failAttach(e) },
            { target: 'Backoff', effect: (c, e) => c.attachRefused(e) },
          ],
          ClientIdTaken: { target: 'Backoff', effect: (c) => c.rechooseClientId() },
          ProtocolError: { target: 'Backoff', effect: (c, e) => c.reportProtocolError(e) },
          AttachTimeout: 'Backoff',
        },
      },
      Attached: {
        entry: (c) => c.startKeepalives(),
        // Every way out stops keepalives and invalidates the lease first (CLIENT-06/07).
        exit: (c) => c.invalidateLease(),
        on: {
          KeepaliveDue: (c) => (c.keepalive(), HANDLED),
          LeaseLost: { target: 'Backoff', effect: (c, cause) => c.leaseLost(cause) },
          DetachWanted: { target: 'Detaching', effect: (c) => c.beginDetach() },
        },
      },
      Backoff: {
        entry: (c) => c.armRetry(),
        exit: (c) => c.stopRetry(),
        on: {
          RetryDue: 'Connecting',
          // Already backing off: report, keep the timer that runs.
          ConnectionLost: (c, cause) => (c.connectionLost(cause), HANDLED),
          DriverShutdown: (c, n) => (c.driverShutdown(n), HANDLED),
        },
      },
      Detaching: {
        on: {
          DetachDone: { target: 'Unattached', effect: (c) => c.finishDetach() },
          DetachTimeout: { target: 'Unattached', effect: (c) => c.finishDetach() },
          ConnectionLost: { target: 'Unattached', effect: (c, cause) => (c.connectionLost(cause), c.finishDetach()) },
          DriverShutdown: { target: 'Unattached', effect: (c, n) => (c.driverShutdown(n), c.finishDetach()) },
        },
      },
      Closed: { any: () => HANDLED },
    },
    { onEntry: (c, state) => (state === 'Wanted' ? undefined : c.entered(state)) },
  );

export const ClientEvents = ClientMachine.events;
