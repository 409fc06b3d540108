/**
 * The structure of a machine: every vertex (state or pseudostate) by name, with its parent and
 * kind. The constraint is self-referential — `Structure<keyof T & string>` — so TypeScript infers
 * the names from the object's keys and then checks every `parent`, `initial` and history
 * `default` against them: a typo is a compile error naming the bad string.
 */
export interface PlainStateShape<S extends string> {
  readonly kind?: 'state';
  /** The enclosing state; omitted = a child of the implicit `Root`. */
  readonly parent?: S;
  /** The initial pseudostate's target (a descendant). Without one, entering the state stops at it. */
  readonly initial?: S;
}

export interface FinalShape<S extends string> {
  readonly kind: 'final';
  readonly parent?: S;
}

export interface ChoiceShape<S extends string> {
  readonly kind: 'choice';
  readonly parent?: S;
}

export interface HistoryShape<S extends string> {
  readonly kind: 'history';
  /** The composite state whose history this records. */
  readonly parent?: S;
  /** Deep history restores the last active leaf; shallow (default) the last active child. */
  readonly deep?: boolean;
  /** Where to go when the owner has no history yet; omitted = the owner's initial. */
  readonly default?: S;
}

export interface TerminateShape<S extends string> {
  readonly kind: 'terminate';
  readonly parent?: S;
}

export type VertexShape<S extends string> =
  | PlainStateShape<S>
  | FinalShape<S>
  | ChoiceShape<S>
  | HistoryShape<S>
  | TerminateShape<S>;

export type Structure<S extends string> = { readonly [K in S]: VertexShape<S> };

/** Options of the implicit `Root` state. */
export interface RootShape<S extends string> {
  readonly initial: S;
}

/** Names of the vertices of kind `K` in structure `T`; plain states are those with no `kind`. */
export type VerticesOfKind<T, K extends string> = {
  [N in keyof T & string]: (T[N] extends { readonly kind: infer X } ? X : 'state') extends K ? N : never;
}[keyof T & string];

/** States a transition may target: everything but the implicit Root. */
export type TargetName<T> = keyof T & string;
