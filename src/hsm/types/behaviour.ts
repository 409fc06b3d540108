/**
 * What each vertex does, typed from the machine's structure and events. Handlers are plain
 * functions kept in flat tables; none is created per event.
 */
import type { Outcome, Refs } from './branded-ids.js';
import type { TargetName, VerticesOfKind } from './structure.js';

/**
 * A function handler. It may run code, then returns `HANDLED`, `UNHANDLED` or `s.Target`. Code in
 * it runs *before* exit actions (it is the guard-and-decide phase); an effect that must run
 * between exits and entries (UML order) belongs in a `{ target, effect }` transition.
 */
export type HandlerFn<C, P, S extends string, E extends string> = (
  ctx: C,
  payload: P,
  s: Refs<S>,
  event: E,
) => Outcome<S>;

/** A declarative transition: optional guard, optional effect; no target = internal. */
export interface TransitionSpec<C, P, S extends string> {
  readonly target?: S;
  readonly guard?: (ctx: C, payload: P) => boolean;
  readonly effect?: (ctx: C, payload: P) => void;
}

/** One reaction: a target name, a declarative transition, or a function. */
export type Reaction<C, P, S extends string, E extends string> =
  | S
  | TransitionSpec<C, P, S>
  | HandlerFn<C, P, S, E>;

/** Several reactions are tried in order; the first that does not decline wins. */
export type Reactions<C, P, S extends string, E extends string> =
  | Reaction<C, P, S, E>
  | readonly Reaction<C, P, S, E>[];

export type EventHandlers<C, Ev, S extends string> = {
  readonly [K in keyof Ev & string]?: Reactions<C, Ev[K], S, K>;
};

/** Entry and exit actions return nothing: a transition from them is a run-time error. */
export type Action<C> = (ctx: C) => void;

export interface StateBehaviour<C, Ev, S extends string> {
  readonly entry?: Action<C>;
  readonly exit?: Action<C>;
  /** Runs on the initial transition into this composite, before entering the initial target. */
  readonly initialEffect?: Action<C>;
  /** Specific handlers, one per event; tried before `any`. */
  readonly on?: EventHandlers<C, Ev, S>;
  /** Catch-all handler for events this state has no (accepting) specific handler for. */
  readonly any?: Reactions<C, Ev[keyof Ev], S, keyof Ev & string>;
  /** Completion transitions, taken when a final child of this state is entered. */
  readonly done?: Reactions<C, undefined, S, '$done'>;
}

export interface ChoiceBranch<C, P, S extends string> {
  readonly guard: (ctx: C, payload: P) => boolean;
  readonly target: S;
  readonly effect?: (ctx: C, payload: P) => void;
}

export interface ElseBranch<C, P, S extends string> {
  readonly else: S;
  readonly effect?: (ctx: C, payload: P) => void;
}

/** Guards are evaluated in order after the incoming transition's exits and effect; `else` is last. */
export interface ChoiceBehaviour<C, Ev, S extends string> {
  readonly branches: readonly [
    ...(readonly ChoiceBranch<C, Ev[keyof Ev] | undefined, S>[]),
    ElseBranch<C, Ev[keyof Ev] | undefined, S>,
  ];
}

/** Behaviour of the whole machine, keyed by vertex; `Root` holds machine-wide fallbacks. */
export type Behaviour<C, Ev, T> = {
  readonly [K in VerticesOfKind<T, 'state'>]?: StateBehaviour<C, Ev, TargetName<T>>;
} & {
  readonly [K in VerticesOfKind<T, 'choice'>]: ChoiceBehaviour<C, Ev, TargetName<T>>;
} & {
  readonly Root?: Pick<StateBehaviour<C, Ev, TargetName<T>>, 'on' | 'any'>;
};

/** Machine-wide hooks for logging and metrics (generic entry/exit handlers). */
export interface Hooks<C, Ev, S extends string> {
  readonly onEntry?: (ctx: C, state: S) => void;
  readonly onExit?: (ctx: C, state: S) => void;
  readonly onUnhandled?: (ctx: C, event: keyof Ev & string, payload: Ev[keyof Ev]) => void;
}
