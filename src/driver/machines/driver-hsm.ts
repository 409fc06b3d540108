/**
 * DriverHsm, the driver lifecycle from the seed: Init → Running; Running_Draining is a *child*
 * of Running (it inherits Running's handlers and overrides Attach); Stopped.
 *
 * Every control message reaches the driver as an event of this machine, so whether an attach is
 * accepted is decided by the active state, not by a flag (SHUTDOWN-08, ATTACH-18): Running
 * processes it, Running_Draining and Stopped reject it with "driver draining". Keepalives,
 * detaches, expiry and periodic announces continue while draining (KEEPALIVE-09). Keepalives,
 * the hottest input, are not events of this machine: the driver processes them while it is in
 * Running (or its child), as the seed's Running polls control input on Tick.
 */
import { HANDLED, defineMachine, payload } from '../../hsm/index.js';

/** What the lifecycle machine calls into; implemented by the Driver. */
export interface DriverCore {
  handleAttach(): void;
  rejectAttachDraining(): void;
  handleDetach(): void;
  handleConsumerHello(): void;
  /** Runs due timers: periodic announces, lease expiry (KEEPALIVE-08, ANNOUNCE-05). */
  pollTimers(): void;
  /** True when the shutdown deadline has passed (Running_Draining only). */
  shutdownDue(): boolean;
  armShutdownTimer(): void;
  announceAll(): void;
  countIgnoredShutdownRequest(): void;
  countDroppedAfterStop(): void;
  sendDriverShutdown(): void;
  onStopped(): void;
  log(message: string): void;
}

export const DriverHsm = defineMachine<DriverCore>('DriverHsm')
  .events({
    Attach: payload(),
    Detach: payload(),
    ConsumerHello: payload(),
    /** A shutdown request with a valid token (SHUTDOWN-02). */
    ShutdownRequested: payload(),
    ShutdownTimeout: payload(),
    Tick: payload(),
    /** The process is closing without a request (SHUTDOWN-09). */
    Close: payload(),
  })
  .states(
    {
      // UML initials may only enter descendants, so Init *completes* into Running (the seed's
      // `@on_initial(Init) → Running`): its initial enters a final child, and Init's completion
      // transition goes to Running, all within start().
      Init: { initial: 'Init_Done' },
      Init_Done: { kind: 'final', parent: 'Init' },
      Running: {},
      Running_Draining: { parent: 'Running' },
      Stopped: {},
    },
    { initial: 'Init' },
  )
  .build({
    Init: { done: 'Running' },
    Running: {
      entry: (d) => d.log('driver running'),
      on: {
        Attach: (d) => (d.handleAttach(), HANDLED),
        Detach: (d) => (d.handleDetach(), HANDLED),
        ConsumerHello: (d) => (d.handleConsumerHello(), HANDLED),
        Tick: (d) => (d.pollTimers(), HANDLED),
        ShutdownRequested: 'Running_Draining',
        Close: { target: 'Stopped', effect: (d) => d.sendDriverShutdown() },
      },
    },
    Running_Draining: {
      // Draining: arm the shutdown timer and announce every stream once (SHUTDOWN-08 step 2).
      entry: (d) => {
        d.log('driver draining');
        d.armShutdownTimer();
        d.announceAll();
      },
      on: {
        Attach: (d) => (d.rejectAttachDraining(), HANDLED),
        ShutdownRequested: (d) => (d.countIgnoredShutdownRequest(), HANDLED),
        // The deadline is checked before Running's Tick handler polls the other timers.
        Tick: [{ guard: (d) => d.shutdownDue(), target: 'Stopped', effect: (d) => d.sendDriverShutdown() }, (d) => (d.pollTimers(), HANDLED)],
        ShutdownTimeout: { target: 'Stopped', effect: (d) => d.sendDriverShutdown() },
      },
    },
    Stopped: {
      entry: (d) => d.onStopped(),
      on: { Attach: (d) => (d.rejectAttachDraining(), HANDLED) },
      any: (d) => (d.countDroppedAfterStop(), HANDLED),
    },
  });

export const DriverEvents = DriverHsm.events;
export const DriverStates = DriverHsm.states;
