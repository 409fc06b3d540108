/**
 * XState v5 baseline for the HSM benchmark: the benchmark machine (see bench-machine.ts) written
 * idiomatically with `setup(...).createMachine(...)`, run by `createActor(...).start()`.
 *
 * Comparability choices:
 * - Actions increment a `Counters` object closed over when the machine is set up (not XState
 *   context), so the work per action equals the hand-written and engine versions'.
 * - Events are preallocated constant objects, one per event id (`XSTATE_EVENTS[id]`).
 * - "Unhandled" is counted by a targetless `'*'` transition on the root: XState picks the deepest
 *   handler first, so the root wildcard only fires when no active state handles the event.
 * - XState v5's default transition semantics already match the UML order required here: the
 *   transitions used are targetless (PING, '*': no exit/entry) or go to a sibling / sibling of an
 *   ancestor (TOGGLE, START, HALT, STOP), where `reenter` makes no difference; exits run
 *   leaf-upward, entries top-down then the initial chain. No extra configuration is needed.
 */
import { createActor, setup, type Actor } from 'xstate';
import type { Loop } from '../lib/measure.js';
import { Counters, EVENT_NAMES, HALT, NOISE, PING, START, TOGGLE, type EventName, type ScenarioName } from './bench-machine.js';

export type XEvent = { readonly type: EventName };

/** One frozen event object per event id, created once. */
export const XSTATE_EVENTS: readonly XEvent[] = EVENT_NAMES.map((type) => Object.freeze({ type }));

function ev(id: number): XEvent {
  const e = XSTATE_EVENTS[id];
  if (e === undefined) throw new RangeError(`no event with id ${id}`);
  return e;
}

/** The benchmark machine in XState, its actions recording into `counters`. */
export function createXstateMachine(counters: Counters) {
  const c = counters;
  return setup({
    types: { events: {} as XEvent },
    actions: {
      enterOperational: () => { c.enterOperational++; },
      exitOperational: () => { c.exitOperational++; },
      enterIdle: () => { c.enterIdle++; },
      exitIdle: () => { c.exitIdle++; },
      enterActive: () => { c.enterActive++; },
      exitActive: () => { c.exitActive++; },
      enterSlow: () => { c.enterSlow++; },
      exitSlow: () => { c.exitSlow++; },
      enterFast: () => { c.enterFast++; },
      exitFast: () => { c.exitFast++; },
      enterStopped: () => { c.enterStopped++; },
      exitStopped: () => { c.exitStopped++; },
      ping: () => { c.pings++; },
      unhandled: () => { c.unhandled++; },
    },
  }).createMachine({
    id: 'Root',
    initial: 'Operational',
    on: { '*': { actions: 'unhandled' } },
    states: {
      Operational: {
        initial: 'Idle',
        entry: 'enterOperational',
        exit: 'exitOperational',
        on: {
          PING: { actions: 'ping' },
          STOP: { target: 'Stopped' },
        },
        states: {
          Idle: {
            entry: 'enterIdle',
            exit: 'exitIdle',
            on: { START: { target: 'Active' } },
          },
          Active: {
            initial: 'Slow',
            entry: 'enterActive',
            exit: 'exitActive',
            on: { HALT: { target: 'Idle' } },
            states: {
              Slow: { entry: 'enterSlow', exit: 'exitSlow', on: { TOGGLE: { target: 'Fast' } } },
              Fast: { entry: 'enterFast', exit: 'exitFast', on: { TOGGLE: { target: 'Slow' } } },
            },
          },
        },
      },
      Stopped: {
        entry: 'enterStopped',
        exit: 'exitStopped',
      },
    },
  });
}

export type XstateBenchActor = Actor<ReturnType<typeof createXstateMachine>>;

/** A started actor (in Operational.Idle) recording into `counters`; `send(id)` maps event ids. */
export function createXstate(counters: Counters = new Counters()): {
  actor: XstateBenchActor;
  counters: Counters;
  send: (event: number) => void;
} {
  const actor = createActor(createXstateMachine(counters)).start();
  return { actor, counters, send: (id) => actor.send(ev(id)) };
}

/**
 * The four timed loops, each on its own fresh actor already in the scenario's start state.
 * `counters` (for tests) supplies each scenario's actor's counters; fresh ones by default.
 */
export function xstateLoops(counters?: Readonly<Record<ScenarioName, Counters>>): Record<ScenarioName, Loop> {
  const evPing = ev(PING);
  const evToggle = ev(TOGGLE);
  const evStart = ev(START);
  const evHalt = ev(HALT);
  const evNoise = ev(NOISE);
  const ancestor = createXstate(counters?.ancestor).actor;
  ancestor.send(evStart);
  const sibling = createXstate(counters?.sibling).actor;
  sibling.send(evStart);
  const enterInitial = createXstate(counters?.enterInitial).actor;
  const unhandled = createXstate(counters?.unhandled).actor;
  unhandled.send(evStart);
  // Persists across calls so odd n never leaves the next call sending START while in Active.
  let nextEnterInitial = evStart;
  return {
    ancestor: (n) => {
      for (let i = 0; i < n; i++) ancestor.send(evPing);
    },
    sibling: (n) => {
      for (let i = 0; i < n; i++) sibling.send(evToggle);
    },
    enterInitial: (n) => {
      let e = nextEnterInitial;
      for (let i = 0; i < n; i++) {
        enterInitial.send(e);
        e = e === evStart ? evHalt : evStart;
      }
      nextEnterInitial = e;
    },
    unhandled: (n) => {
      for (let i = 0; i < n; i++) unhandled.send(evNoise);
    },
  };
}
