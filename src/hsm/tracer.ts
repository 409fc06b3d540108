/**
 * Tracing hooks. A machine without a tracer runs the specialised dispatch, which has no tracing
 * code (with `compile: false`, one null check per hook site); one with a tracer runs on the
 * interpreter, and every step of the run-to-completion algorithm is reported in order. State and event names are the
 * definition's own strings: nothing is allocated to report them.
 */
export type DispatchResult = 'handled' | 'unhandled' | 'transition';

export interface Tracer<S extends string = string, E extends string = string> {
  /** An event starts its run-to-completion step in leaf `state`. */
  dispatchStart?(event: E, state: S): void;
  /** `state`'s handlers are being tried for `event`. */
  attempt?(event: E, state: S): void;
  /** The step ended. */
  dispatchResult?(event: E, result: DispatchResult): void;
  transitionBegin?(source: S, target: S): void;
  /** The transition's effect runs (after exits, before entries). */
  effect?(source: S, target: S): void;
  transitionEnd?(source: S, target: S): void;
  entry?(state: S): void;
  exit?(state: S): void;
  /** An initial pseudostate of `state` is followed to `target`. */
  initial?(state: S, target: S): void;
}
