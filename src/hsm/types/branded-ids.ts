/**
 * Branded integers: state references, event ids and handler outcomes are plain numbers at run
 * time (so dispatch compares integers and allocates nothing) but distinct types at compile time,
 * so a handler cannot return a bare number or a state of another machine.
 *
 * Besides its own name, each id carries the machine's whole set of names (`All`), invariantly:
 * ids are numbers local to one definition, so `Other.states.Idle` must not pass where this
 * machine's `Idle` is expected even though the names match. (Two definitions with exactly the
 * same names still share a type; their ids then also mean the same names.)
 */
declare const stateBrand: unique symbol;
declare const eventBrand: unique symbol;
declare const machineBrand: unique symbol;
declare const outcomeBrand: unique symbol;

/** A reference to state `S` of a machine whose states are `All`; returned to request a transition. */
export type Ref<S extends string, All extends string = S> = number & {
  readonly [stateBrand]: S;
  readonly [machineBrand]: (all: All) => All;
};

/** The integer id of event `E` of a machine whose events are `All` (`machine.send`). */
export type EventId<E extends string, All extends string = E> = number & {
  readonly [eventBrand]: E;
  readonly [machineBrand]: (all: All) => All;
};

/** Handler outcome: the event was consumed with no transition. */
export type Handled = number & { readonly [outcomeBrand]: 'handled' };

/** Handler outcome: this handler declines; the search goes on (catch-all, then the parent). */
export type Unhandled = number & { readonly [outcomeBrand]: 'unhandled' };

/** What a function handler returns: consumed, declined, or a transition target. */
export type Outcome<S extends string> = Handled | Unhandled | Ref<S, S>;

/** The typed table of a machine's state references, handed to every function handler. */
export type Refs<S extends string> = { readonly [K in S]: Ref<K, S> };

/** The typed table of a machine's event ids. */
export type EventIds<E extends string> = { readonly [K in E]: EventId<K, E> };
