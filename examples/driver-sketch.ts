/**
 * The seed's DRIVER_HSM_SKETCH.md (Hsm.jl) read in our API: DriverHsm, LeaseHsm, StreamHsm.
 * The bodies are stand-ins that record what the real driver would do, so the example runs on
 * its own (`npm start`); docs/hsm/DRIVER_SKETCH.md walks through it side by side with the seed.
 */
import { HANDLED, defineMachine, payload, type Machine } from '../src/hsm/index.js';

/** What the driver-wide state would hold; here it records the driver's actions. */
export interface DriverState {
  readonly log: string[];
  nowNs: bigint;
  leaseIntervalNs: bigint;
  accepting: boolean;
}

// ---- Driver HSM (top level) ----------------------------------------------------------------

export const DriverHsm = defineMachine<DriverState>('DriverHsm')
  .events({
    ShutdownRequested: payload(),
    ShutdownTimeout: payload(),
    Tick: payload<bigint>(),
    Attach: payload<string>(),
  })
  .states(
    {
      // The seed's `@on_initial(Init) → Running` jumps to a sibling, which UML initials cannot
      // do. Here Init completes instead: its initial enters a final child, and Init's
      // completion transition goes to Running — all within start().
      Init: { initial: 'Init_Done' },
      Init_Done: { kind: 'final', parent: 'Init' },
      Running: {},
      // A child of Running: it shares Running's handlers (Tick) and overrides Attach.
      Running_Draining: { parent: 'Running' },
      Stopped: {},
    },
    { initial: 'Init' },
  )
  .build({
    Init: {
      entry: (d) => void d.log.push('driver: init (pubs/subs/timers set up)'),
      done: 'Running',
    },
    Running: {
      entry: (d) => {
        d.accepting = true;
        d.log.push('driver: arm timers, enable accepts');
      },
      exit: (d) => {
        d.accepting = false;
        d.log.push('driver: stop accepts, flush control state');
      },
      on: {
        ShutdownRequested: 'Running_Draining',
        Tick: (d, nowNs) => {
          d.nowNs = nowNs; // driver_do_work!: poll_driver_control!, poll_timers!
          return HANDLED;
        },
        Attach: (d, client) => {
          d.log.push(`driver: attach from ${client} accepted`);
          return HANDLED;
        },
      },
    },
    Running_Draining: {
      entry: (d) => void d.log.push('driver: draining (final announce; new attaches rejected)'),
      exit: (d) => void d.log.push('driver: emit ShmDriverShutdown'),
      on: {
        ShutdownTimeout: 'Stopped',
        Attach: (d, client) => {
          d.log.push(`driver: attach from ${client} REJECTED "driver draining"`);
          return HANDLED;
        },
      },
    },
    Stopped: { entry: (d) => void d.log.push('driver: stopped') },
  });

// ---- Per-lease HSM -------------------------------------------------------------------------

export interface LeaseCtx {
  readonly driver: DriverState;
  readonly leaseId: bigint;
  expiryNs: bigint;
}

const expiry = (l: LeaseCtx, nowNs: bigint): bigint => nowNs + l.driver.leaseIntervalNs;
const revoke = (reason: string) => (l: LeaseCtx, nowNs: bigint) =>
  void l.driver.log.push(`lease ${l.leaseId}: revoke_lease!(${reason}) at ${nowNs}`);

export const LeaseHsm = defineMachine<LeaseCtx>('LeaseHsm')
  .events({
    AttachOk: payload(),
    AttachReject: payload(),
    Keepalive: payload<bigint>(),
    LeaseTimeout: payload<bigint>(),
    Detach: payload<bigint>(),
    Revoke: payload<bigint>(),
  })
  .states({ UNATTACHED: {}, ACTIVE: {}, EXPIRED: {}, REVOKED: {}, DETACHED: {} }, { initial: 'UNATTACHED' })
  .build({
    UNATTACHED: { on: { AttachOk: 'ACTIVE' } },
    ACTIVE: {
      // Expiry is initialised on entry to ACTIVE, from the driver's clock.
      entry: (l) => void (l.expiryNs = expiry(l, l.driver.nowNs)),
      on: {
        Keepalive: (l, nowNs) => {
          l.expiryNs = expiry(l, nowNs);
          return HANDLED;
        },
        // Effects run after ACTIVE's exit and before the target's entry (UML order).
        LeaseTimeout: { target: 'EXPIRED', effect: revoke('EXPIRED') },
        Detach: { target: 'DETACHED', effect: revoke('DETACHED') },
        Revoke: { target: 'REVOKED', effect: revoke('REVOKED') },
      },
    },
  });

// ---- Per-stream HSM ------------------------------------------------------------------------

export interface StreamCtx {
  readonly driver: DriverState;
  readonly streamId: number;
  epoch: bigint;
}

const bumpEpoch = (s: StreamCtx): void => {
  s.epoch++;
  s.driver.log.push(`stream ${s.streamId}: epoch -> ${s.epoch}`);
};

export const StreamHsm = defineMachine<StreamCtx>('StreamHsm')
  .events({ Provision: payload(), ProducerAttach: payload(), ProducerLeaseLost: payload<bigint>() })
  .states({ UNCLAIMED: {}, READY: {}, PRODUCER_ATTACHED: {} }, { initial: 'UNCLAIMED' })
  .build({
    UNCLAIMED: { on: { Provision: { target: 'READY', effect: bumpEpoch } } },
    // READY's entry announces, so each way into READY announces exactly once (the seed's
    // Provision handler also announced before entering READY: two announces for one change).
    READY: {
      entry: (s) => void s.driver.log.push(`stream ${s.streamId}: announce epoch ${s.epoch}`),
      on: { ProducerAttach: 'PRODUCER_ATTACHED' },
    },
    PRODUCER_ATTACHED: { on: { ProducerLeaseLost: { target: 'READY', effect: bumpEpoch } } },
  });

export type DriverMachine = Machine<DriverState, { ShutdownRequested: void; ShutdownTimeout: void; Tick: bigint; Attach: string }, keyof typeof DriverHsm.states>;
