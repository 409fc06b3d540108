/**
 * The benchmark machine (bench-machine.ts) written with our engine, recording into the same
 * Counters as the hand-written and XState baselines so all three can be checked for equal
 * behaviour and timed on equal work.
 */
import { HANDLED, defineMachine, payload, type Machine, type MachineOptions } from '../../src/hsm/index.js';
import type { Loop } from '../lib/measure.js';
import { Counters, type ScenarioName } from './bench-machine.js';

export const BenchMachine = defineMachine<Counters>('Bench')
  // Declared in the baselines' id order, so BenchMachine.events.PING === PING and so on.
  .events({
    PING: payload(),
    TOGGLE: payload(),
    START: payload(),
    HALT: payload(),
    NOISE: payload(),
    STOP: payload(),
  })
  .states(
    {
      Operational: { initial: 'Idle' },
      Idle: { parent: 'Operational' },
      Active: { parent: 'Operational', initial: 'Slow' },
      Slow: { parent: 'Active' },
      Fast: { parent: 'Active' },
      Stopped: {},
    },
    { initial: 'Operational' },
  )
  .build(
    {
      Operational: {
        entry: (c) => void c.enterOperational++,
        exit: (c) => void c.exitOperational++,
        on: {
          PING: (c) => {
            c.pings++;
            return HANDLED;
          },
          STOP: 'Stopped',
        },
      },
      Idle: { entry: (c) => void c.enterIdle++, exit: (c) => void c.exitIdle++, on: { START: 'Active' } },
      Active: { entry: (c) => void c.enterActive++, exit: (c) => void c.exitActive++, on: { HALT: 'Idle' } },
      Slow: { entry: (c) => void c.enterSlow++, exit: (c) => void c.exitSlow++, on: { TOGGLE: 'Fast' } },
      Fast: { entry: (c) => void c.enterFast++, exit: (c) => void c.exitFast++, on: { TOGGLE: 'Slow' } },
      Stopped: { entry: (c) => void c.enterStopped++, exit: (c) => void c.exitStopped++ },
    },
    { onUnhandled: (c) => void c.unhandled++ },
  );

type BenchEvents = { PING: void; TOGGLE: void; START: void; HALT: void; NOISE: void; STOP: void };
export type EngineBenchMachine = Machine<Counters, BenchEvents, keyof typeof BenchMachine.states>;

type Options = MachineOptions<keyof typeof BenchMachine.states, keyof BenchEvents>;

export function createEngine(counters: Counters = new Counters(), options?: Options): EngineBenchMachine {
  return BenchMachine.create(counters, options).start();
}

/** The four timed loops on fresh started machines, as in handwrittenLoops(). */
export function engineLoops(
  counters?: Readonly<Record<ScenarioName, Counters>>,
  options?: Options,
): Record<ScenarioName, Loop> {
  const E = BenchMachine.events;
  const ancestor = createEngine(counters?.ancestor, options);
  ancestor.send(E.START);
  const sibling = createEngine(counters?.sibling, options);
  sibling.send(E.START);
  const enterInitial = createEngine(counters?.enterInitial, options);
  const unhandled = createEngine(counters?.unhandled, options);
  unhandled.send(E.START);
  let next: typeof E.START | typeof E.HALT = E.START;
  return {
    ancestor: (n) => {
      for (let i = 0; i < n; i++) ancestor.send(E.PING);
    },
    sibling: (n) => {
      for (let i = 0; i < n; i++) sibling.send(E.TOGGLE);
    },
    enterInitial: (n) => {
      let ev = next;
      for (let i = 0; i < n; i++) {
        enterInitial.send(ev);
        ev = ev === E.START ? E.HALT : E.START;
      }
      next = ev;
    },
    unhandled: (n) => {
      for (let i = 0; i < n; i++) unhandled.send(E.NOISE);
    },
  };
}
