/**
 * Branded integers: state references, event ids and handler outcomes are plain numbers at run
 * time (so dispatch compares integers and allocates nothing) but distinct types at compile time,
 * so a handler cannot return a bare number or a state of another machine.
 */
declare const stateBrand: unique symbol;
declare const eventBrand: unique symbol;
declare const outcomeBrand: unique symbol;

/** A reference to state `S`, as returned by a handler to request a transition to `S`. */
export type Ref<S extends string> = number & { readonly [stateBrand]: S };

/** The integer id of event `E`, for the fastest dispatch path (`machine.send`). */
export type EventId<E extends string> = number & { readonly [eventBrand]: E };

/** Handler outcome: the event was consumed with no transition. */
export type Handled = number & { readonly [outcomeBrand]: 'handled' };

/** Handler outcome: this handler declines; the search goes on (catch-all, then the parent). */
export type Unhandled = number & { readonly [outcomeBrand]: 'unhandled' };

/** What a function handler returns: consumed, declined, or a transition target. */
export type Outcome<S extends string> = Handled | Unhandled | Ref<S>;

/** The typed table of a machine's state references, handed to every function handler. */
export type Refs<S extends string> = { readonly [K in S]: Ref<K> };

/** The typed table of a machine's event ids. */
export type EventIds<E extends string> = { readonly [K in E]: EventId<K> };
