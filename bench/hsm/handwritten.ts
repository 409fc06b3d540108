/**
 * Hand-written baseline for the HSM benchmark: the benchmark machine (see bench-machine.ts) as a
 * good engineer would write it without an engine — one integer field for the active leaf, nested
 * `switch`es that try the leaf's handlers then its ancestors', and entry/exit actions inlined as
 * counter increments in UML order (exits leaf-upward, then entries downward, then initials).
 * This is the speed floor the engine is measured against.
 */
import type { Loop } from '../lib/measure.js';
import { Counters, HALT, PING, NOISE, START, STOP, TOGGLE, type ScenarioName } from './bench-machine.js';

/** Active leaf ids of the hand-written machine (the full configuration follows from the leaf). */
export const LEAF_IDLE = 0;
export const LEAF_SLOW = 1;
export const LEAF_FAST = 2;
export const LEAF_STOPPED = 3;

const LEAF_PATHS = ['Operational.Idle', 'Operational.Active.Slow', 'Operational.Active.Fast', 'Stopped'] as const;

export class HandwrittenMachine {
  /** The active leaf: one of LEAF_IDLE, LEAF_SLOW, LEAF_FAST, LEAF_STOPPED. */
  state = LEAF_IDLE;
  private started = false;

  constructor(readonly counters: Counters) {}

  /** Enters the initial configuration: Operational, then Idle. Idempotent. */
  start(): this {
    if (!this.started) {
      this.started = true;
      const c = this.counters;
      c.enterOperational++;
      c.enterIdle++;
      this.state = LEAF_IDLE;
    }
    return this;
  }

  /** The active configuration as a dotted path below Root, e.g. 'Operational.Active.Slow'. */
  get path(): string {
    return LEAF_PATHS[this.state] ?? '?';
  }

  /** Processes one event; returns false (and counts it) when no active state handles it. */
  dispatch(event: number): boolean {
    const c = this.counters;
    switch (this.state) {
      case LEAF_IDLE:
        switch (event) {
          case START:
            c.exitIdle++;
            c.enterActive++;
            c.enterSlow++;
            this.state = LEAF_SLOW;
            return true;
        }
        return this.operational(event);
      case LEAF_SLOW:
        switch (event) {
          case TOGGLE:
            c.exitSlow++;
            c.enterFast++;
            this.state = LEAF_FAST;
            return true;
        }
        return this.active(event);
      case LEAF_FAST:
        switch (event) {
          case TOGGLE:
            c.exitFast++;
            c.enterSlow++;
            this.state = LEAF_SLOW;
            return true;
        }
        return this.active(event);
      case LEAF_STOPPED:
        // Stopped handles nothing; its parent is Root, which handles nothing either.
        break;
    }
    c.unhandled++;
    return false;
  }

  /** Active's handlers (reached from Slow or Fast), then Operational's. */
  private active(event: number): boolean {
    switch (event) {
      case HALT: {
        const c = this.counters;
        this.exitActiveLeaf();
        c.exitActive++;
        c.enterIdle++;
        this.state = LEAF_IDLE;
        return true;
      }
    }
    return this.operational(event);
  }

  /** Operational's handlers (reached from any of its descendants); Root handles nothing. */
  private operational(event: number): boolean {
    const c = this.counters;
    switch (event) {
      case PING:
        c.pings++;
        return true;
      case STOP:
        if (this.state === LEAF_IDLE) {
          c.exitIdle++;
        } else {
          this.exitActiveLeaf();
          c.exitActive++;
        }
        c.exitOperational++;
        c.enterStopped++;
        this.state = LEAF_STOPPED;
        return true;
    }
    c.unhandled++;
    return false;
  }

  private exitActiveLeaf(): void {
    if (this.state === LEAF_SLOW) this.counters.exitSlow++;
    else this.counters.exitFast++;
  }
}

/** A started hand-written machine (in Operational.Idle) recording into `counters`. */
export function createHandwritten(counters: Counters = new Counters()): {
  machine: HandwrittenMachine;
  counters: Counters;
} {
  return { machine: new HandwrittenMachine(counters).start(), counters };
}

/**
 * The four timed loops, each on its own fresh machine already in the scenario's start state.
 * `counters` (for tests) supplies each scenario's machine's counters; fresh ones by default.
 */
export function handwrittenLoops(counters?: Readonly<Record<ScenarioName, Counters>>): Record<ScenarioName, Loop> {
  const ancestor = createHandwritten(counters?.ancestor).machine;
  ancestor.dispatch(START);
  const sibling = createHandwritten(counters?.sibling).machine;
  sibling.dispatch(START);
  const enterInitial = createHandwritten(counters?.enterInitial).machine;
  const unhandled = createHandwritten(counters?.unhandled).machine;
  unhandled.dispatch(START);
  // Persists across calls so odd n never leaves the next call sending START while in Active.
  let nextEnterInitial = START;
  return {
    ancestor: (n) => {
      for (let i = 0; i < n; i++) ancestor.dispatch(PING);
    },
    sibling: (n) => {
      for (let i = 0; i < n; i++) sibling.dispatch(TOGGLE);
    },
    enterInitial: (n) => {
      let ev = nextEnterInitial;
      for (let i = 0; i < n; i++) {
        enterInitial.dispatch(ev);
        ev = ev === START ? HALT : START;
      }
      nextEnterInitial = ev;
    },
    unhandled: (n) => {
      for (let i = 0; i < n; i++) unhandled.dispatch(NOISE);
    },
  };
}
