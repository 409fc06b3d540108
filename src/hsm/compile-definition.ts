/**
 * Turns a machine's declared structure and behaviour into flat integer tables, validating it
 * on the way (HSM-DEF-*). Everything the dispatcher needs is precomputed here once per
 * definition, so dispatch does array lookups and integer compares only.
 */
import { HsmDefinitionError } from './errors.js';
import {
  KIND_CHOICE,
  KIND_FINAL,
  KIND_HISTORY,
  KIND_NAMES,
  KIND_STATE,
  type KindName,
} from './vertex-kind.js';

/** Untyped handler function, as stored in the tables. */
export type RawFn = (ctx: unknown, payload: unknown, refs: unknown, event: string) => number;
export type RawGuard = (ctx: unknown, payload: unknown) => boolean;
export type RawEffect = (ctx: unknown, payload: unknown) => void;
export type RawAction = (ctx: unknown) => unknown;

export interface RawShape {
  readonly kind?: KindName;
  readonly parent?: string;
  readonly initial?: string;
  readonly deep?: boolean;
  readonly default?: string;
}

type RawReaction = string | RawFn | { target?: string; guard?: RawGuard; effect?: RawEffect };

export interface RawBehaviour {
  readonly entry?: RawAction;
  readonly exit?: RawAction;
  readonly initialEffect?: RawAction;
  readonly on?: Readonly<Record<string, RawReaction | readonly RawReaction[] | undefined>>;
  readonly any?: RawReaction | readonly RawReaction[];
  readonly done?: RawReaction | readonly RawReaction[];
  readonly branches?: readonly { guard?: RawGuard; target?: string; else?: string; effect?: RawEffect }[];
}

export interface RawHooks {
  readonly onEntry?: (ctx: unknown, state: string) => void;
  readonly onExit?: (ctx: unknown, state: string) => void;
  readonly onUnhandled?: (ctx: unknown, event: string, payload: unknown) => void;
}

export interface RawDefinition {
  readonly name: string;
  readonly events: readonly string[];
  readonly structure: Readonly<Record<string, RawShape>>;
  readonly rootInitial: string;
  readonly behaviour: Readonly<Record<string, RawBehaviour | undefined>>;
  readonly hooks: RawHooks;
}

/** Id of the implicit top state. */
export const ROOT = 0;

/**
 * The compiled form. Cells are indexed `vertex * cols + column`, where columns are the event
 * ids, then ANY (catch-all), then DONE (completion). A cell's arcs are
 * `cellStart[cell] .. cellStart[cell + 1] - 1`.
 */
export interface CompiledDefinition {
  readonly name: string;
  readonly n: number;
  readonly names: readonly string[];
  readonly kind: Uint8Array;
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  /** `chain[chainOff[v] + d]` is v's ancestor at depth d (0 = Root, depth[v] = v itself). */
  readonly chain: Int32Array;
  readonly chainOff: Int32Array;
  readonly initial: Int32Array;
  readonly initialEffect: readonly (RawAction | null)[];
  readonly entry: readonly (RawAction | null)[];
  readonly exit: readonly (RawAction | null)[];
  /** 1 where a composite owns a history pseudostate, so exits through it must be recorded. */
  readonly recordsHistory: Uint8Array;
  readonly historyDeep: Uint8Array;
  readonly historyDefault: Int32Array;
  readonly nEvents: number;
  readonly cols: number;
  readonly doneCol: number;
  /** Event names by column; the ANY and DONE columns are named `$any` and `$done`. */
  readonly eventNames: readonly string[];
  readonly eventIndex: ReadonlyMap<string, number>;
  readonly cellStart: Int32Array;
  readonly arcFn: readonly (RawFn | null)[];
  readonly arcGuard: readonly (RawGuard | null)[];
  readonly arcEffect: readonly (RawEffect | null)[];
  /** Transition target, or -1 for an internal reaction (consumes, no state change). */
  readonly arcTarget: Int32Array;
  readonly choiceStart: Int32Array;
  readonly choiceEnd: Int32Array;
  /**
   * `firstHandler[v * nEvents + e]`: the nearest ancestor-or-self of v with any arc for e
   * (specific or catch-all), or -1. Dispatch jumps straight to it, skipping silent states.
   */
  readonly firstHandler: Int32Array;
  readonly refs: Readonly<Record<string, number>>;
  readonly hooks: RawHooks;
}

const RESERVED = new Set(['Root', '$any', '$done']);

export function compileDefinition(raw: RawDefinition): CompiledDefinition {
  const fail = (message: string): never => {
    throw new HsmDefinitionError(raw.name, message);
  };

  // Vertices: Root first, then declaration order.
  const names: string[] = ['Root'];
  const index = new Map<string, number>([['Root', ROOT]]);
  for (const name of Object.keys(raw.structure)) {
    if (RESERVED.has(name)) fail(`'${name}' is a reserved name; choose another state name`);
    if (index.has(name)) fail(`duplicate state '${name}'`);
    index.set(name, names.length);
    names.push(name);
  }
  const n = names.length;
  const shapeOf = (v: number): RawShape => raw.structure[names[v] as string] ?? {};
  const lookup = (name: unknown, what: string): number => {
    const id = typeof name === 'string' ? index.get(name) : undefined;
    if (id === undefined || id === ROOT) {
      return fail(`${what} names unknown state '${String(name)}'`);
    }
    return id;
  };

  const kind = new Uint8Array(n);
  const parent = new Int32Array(n).fill(-1);
  for (let v = 1; v < n; v++) {
    const shape = shapeOf(v);
    const k = KIND_NAMES.indexOf(shape.kind ?? 'state');
    if (k < 0) fail(`state '${names[v]}' has unknown kind '${String(shape.kind)}'`);
    kind[v] = k;
    parent[v] = shape.parent === undefined ? ROOT : lookup(shape.parent, `the parent of '${names[v]}'`);
  }
  for (let v = 1; v < n; v++) {
    const p = parent[v] as number;
    if (p !== ROOT && kind[p] !== KIND_STATE) {
      fail(`the parent of '${names[v]}' is '${names[p]}', a ${KIND_NAMES[kind[p] as number]}; only states can contain others`);
    }
  }

  // Depths, with cycle detection: a parent chain longer than n revisits a vertex.
  const depth = new Int32Array(n);
  for (let v = 1; v < n; v++) {
    let d = 0;
    for (let x = v; x !== ROOT; x = parent[x] as number) {
      if (++d > n) fail(`state '${names[v]}' is its own ancestor (parent cycle)`);
    }
    depth[v] = d;
  }
  const chainOff = new Int32Array(n);
  let total = 0;
  for (let v = 0; v < n; v++) {
    chainOff[v] = total;
    total += (depth[v] as number) + 1;
  }
  const chain = new Int32Array(total);
  for (let v = 0; v < n; v++) {
    for (let x = v; x !== -1; x = parent[x] as number) chain[(chainOff[v] as number) + (depth[x] as number)] = x;
  }
  const isAncestorOrSelf = (a: number, b: number): boolean =>
    (depth[a] as number) <= (depth[b] as number) && chain[(chainOff[b] as number) + (depth[a] as number)] === a;

  // Children, initials.
  const hasChildren = new Uint8Array(n);
  for (let v = 1; v < n; v++) {
    if (kind[v] === KIND_STATE || kind[v] === KIND_FINAL) hasChildren[parent[v] as number] = 1;
  }
  const initial = new Int32Array(n).fill(-1);
  const checkInitial = (v: number, target: unknown): void => {
    const label = v === ROOT ? 'Root' : `'${names[v]}'`;
    const t = lookup(target, `the initial of ${label}`);
    if (t === v || !isAncestorOrSelf(v, t)) {
      fail(`the initial of ${label} targets '${names[t]}', which is not a descendant of ${label}`);
    }
    if (kind[t] !== KIND_STATE && kind[t] !== KIND_FINAL) {
      fail(`the initial of ${label} targets '${names[t]}', a ${KIND_NAMES[kind[t] as number]}; it must target a state`);
    }
    initial[v] = t;
  };
  if (typeof raw.rootInitial !== 'string' || raw.rootInitial === '') {
    fail(`Root has no initial state; pass { initial: '<state>' } to states()`);
  }
  checkInitial(ROOT, raw.rootInitial);
  for (let v = 1; v < n; v++) {
    const shape = shapeOf(v);
    if (shape.initial !== undefined) {
      if (kind[v] !== KIND_STATE) fail(`'${names[v]}' is a ${KIND_NAMES[kind[v] as number]} and cannot have an initial`);
      checkInitial(v, shape.initial);
    }
    // A composite without an initial is allowed and, when entered, is itself the active state:
    // the seed's Running is active alone until its child Running_Draining is entered explicitly.
    // (Only Root must have an initial.)
  }

  // History pseudostates.
  const recordsHistory = new Uint8Array(n);
  const historyDeep = new Uint8Array(n);
  const historyDefault = new Int32Array(n).fill(-1);
  const historySeen = new Set<string>();
  for (let v = 1; v < n; v++) {
    if (kind[v] !== KIND_HISTORY) continue;
    const owner = parent[v] as number;
    const shape = shapeOf(v);
    const deep = shape.deep === true;
    const key = `${owner}:${deep ? 'deep' : 'shallow'}`;
    if (historySeen.has(key)) {
      fail(`'${names[owner]}' has more than one ${deep ? 'deep' : 'shallow'} history pseudostate ('${names[v]}')`);
    }
    historySeen.add(key);
    if (owner !== ROOT && hasChildren[owner] !== 1) fail(`history '${names[v]}' belongs to '${names[owner]}', which has no child states`);
    recordsHistory[owner] = 1;
    historyDeep[v] = deep ? 1 : 0;
    if (shape.default !== undefined) {
      const t = lookup(shape.default, `the default of history '${names[v]}'`);
      if (t === owner || !isAncestorOrSelf(owner, t) || kind[t] === KIND_HISTORY) {
        fail(`the default of history '${names[v]}' targets '${names[t]}', which is not a state inside '${names[owner]}'`);
      }
      historyDefault[v] = t;
    }
  }

  // Events.
  const nEvents = raw.events.length;
  const eventIndex = new Map<string, number>();
  raw.events.forEach((e, i) => {
    if (RESERVED.has(e)) fail(`'${e}' is a reserved event name`);
    eventIndex.set(e, i);
  });
  const anyCol = nEvents;
  const doneCol = nEvents + 1;
  const cols = nEvents + 2;
  const eventNames = [...raw.events, '$any', '$done'];

  // Behaviour: validate keys, then lay out arcs cell by cell.
  for (const key of Object.keys(raw.behaviour)) {
    const v = index.get(key);
    if (v === undefined) fail(`behaviour given for unknown state '${key}'`);
    else if (kind[v] !== KIND_STATE && kind[v] !== KIND_CHOICE) {
      fail(`behaviour given for '${key}', a ${KIND_NAMES[kind[v] as number]}; only states and choices have behaviour`);
    }
  }
  const behaviourOf = (v: number): RawBehaviour => raw.behaviour[names[v] as string] ?? {};

  const entry: (RawAction | null)[] = [];
  const exit: (RawAction | null)[] = [];
  const initialEffect: (RawAction | null)[] = [];
  const cellStart = new Int32Array(n * cols + 1);
  const arcFn: (RawFn | null)[] = [];
  const arcGuard: (RawGuard | null)[] = [];
  const arcEffect: (RawEffect | null)[] = [];
  const arcTarget: number[] = [];

  const checkFn = (f: unknown, what: string): void => {
    if (f !== undefined && typeof f !== 'function') fail(`${what} must be a function`);
  };
  const pushReaction = (r: RawReaction, where: string): void => {
    if (typeof r === 'function') {
      arcFn.push(r);
      arcGuard.push(null);
      arcEffect.push(null);
      arcTarget.push(-1);
    } else if (typeof r === 'string') {
      arcFn.push(null);
      arcGuard.push(null);
      arcEffect.push(null);
      arcTarget.push(lookup(r, `the transition ${where}`));
    } else if (typeof r === 'object' && r !== null) {
      checkFn(r.guard, `the guard ${where}`);
      checkFn(r.effect, `the effect ${where}`);
      arcFn.push(null);
      arcGuard.push(r.guard ?? null);
      arcEffect.push(r.effect ?? null);
      arcTarget.push(r.target === undefined ? -1 : lookup(r.target, `the transition ${where}`));
    } else {
      fail(`the reaction ${where} must be a state name, { target, guard, effect } or a function`);
    }
  };
  const pushReactions = (rs: RawReaction | readonly RawReaction[] | undefined, where: string): void => {
    if (rs === undefined) return;
    if (Array.isArray(rs)) for (const r of rs as readonly RawReaction[]) pushReaction(r, where);
    else pushReaction(rs as RawReaction, where);
  };

  for (let v = 0; v < n; v++) {
    const b = kind[v] === KIND_STATE ? behaviourOf(v) : {};
    const label = `'${names[v]}'`;
    checkFn(b.entry, `the entry action of ${label}`);
    checkFn(b.exit, `the exit action of ${label}`);
    checkFn(b.initialEffect, `the initialEffect of ${label}`);
    if (v === ROOT && (b.entry !== undefined || b.exit !== undefined || b.done !== undefined)) {
      fail(`Root takes only 'on' and 'any' handlers`);
    }
    entry.push(b.entry ?? null);
    exit.push(b.exit ?? null);
    initialEffect.push(b.initialEffect ?? null);
    if (b.on !== undefined) {
      for (const e of Object.keys(b.on)) {
        if (!eventIndex.has(e)) fail(`${label} handles undeclared event '${e}'; declare it in events()`);
      }
    }
    if (b.done !== undefined && !names.some((_, c) => kind[c] === KIND_FINAL && parent[c] === v)) {
      fail(`${label} has completion ('done') handlers but no final child state, so they could never run`);
    }
    for (let c = 0; c < cols; c++) {
      cellStart[v * cols + c] = arcFn.length;
      if (c < nEvents) pushReactions(b.on?.[eventNames[c] as string], `on '${eventNames[c]}' in ${label}`);
      else if (c === anyCol) pushReactions(b.any, `'any' in ${label}`);
      else pushReactions(b.done, `'done' in ${label}`);
    }
  }
  cellStart[n * cols] = arcFn.length;

  // Choice branches: guards in order, exactly one else, last.
  const choiceStart = new Int32Array(n);
  const choiceEnd = new Int32Array(n);
  for (let v = 1; v < n; v++) {
    if (kind[v] !== KIND_CHOICE) continue;
    const branches = behaviourOf(v).branches;
    const label = `choice '${names[v]}'`;
    if (!Array.isArray(branches) || branches.length === 0) fail(`${label} needs branches, ending with { else: '<state>' }`);
    choiceStart[v] = arcFn.length;
    (branches ?? []).forEach((br, i) => {
      const last = i === (branches ?? []).length - 1;
      if (br.else !== undefined) {
        if (!last) fail(`${label}: the else branch must be the last one`);
        pushReaction({ target: br.else, ...(br.effect ? { effect: br.effect } : {}) }, `else of ${label}`);
      } else {
        if (last) fail(`${label} has no else branch; add { else: '<state>' } last so the choice always resolves`);
        if (typeof br.guard !== 'function') fail(`${label}: branch ${i} needs a guard function`);
        if (br.target === undefined) fail(`${label}: branch ${i} needs a target`);
        pushReaction(br as RawReaction, `branch ${i} of ${label}`);
      }
    });
    choiceEnd[v] = arcFn.length;
  }

  // A compound transition must end in a state: a cycle through choice and history
  // pseudostates alone would never return (UML: ill-formed).
  const pseudoTargets = (v: number): number[] => {
    const out: number[] = [];
    if (kind[v] === KIND_CHOICE) {
      for (let i = choiceStart[v] as number; i < (choiceEnd[v] as number); i++) out.push(arcTarget[i] as number);
    } else if (kind[v] === KIND_HISTORY && (historyDefault[v] as number) >= 0) {
      out.push(historyDefault[v] as number);
    }
    return out.filter((t) => kind[t] === KIND_CHOICE || kind[t] === KIND_HISTORY);
  };
  const visiting = new Uint8Array(n); // 0 new, 1 on the path, 2 done
  const walk = (v: number, path: number[]): void => {
    if (visiting[v] === 2) return;
    if (visiting[v] === 1) {
      const cycle = [...path.slice(path.indexOf(v)), v].map((x) => `'${names[x]}'`).join(' → ');
      fail(`pseudostates form a cycle that never enters a state: ${cycle}`);
    }
    visiting[v] = 1;
    for (const t of pseudoTargets(v)) walk(t, [...path, v]);
    visiting[v] = 2;
  };
  for (let v = 1; v < n; v++) if (kind[v] === KIND_CHOICE || kind[v] === KIND_HISTORY) walk(v, []);

  // Nearest ancestor-or-self with arcs for each (vertex, event).
  const firstHandler = new Int32Array(n * Math.max(nEvents, 1)).fill(-1);
  const hasArcs = (v: number, c: number): boolean =>
    (cellStart[v * cols + c + 1] as number) > (cellStart[v * cols + c] as number);
  for (let v = 0; v < n; v++) {
    for (let e = 0; e < nEvents; e++) {
      let h = -1;
      for (let x = v; x !== -1; x = parent[x] as number) {
        if (kind[x] === KIND_STATE && (hasArcs(x, e) || hasArcs(x, anyCol))) {
          h = x;
          break;
        }
      }
      firstHandler[v * nEvents + e] = h;
    }
  }

  const refs: Record<string, number> = {};
  for (let v = 1; v < n; v++) refs[names[v] as string] = v;

  return {
    name: raw.name,
    n,
    names,
    kind,
    parent,
    depth,
    chain,
    chainOff,
    initial,
    initialEffect,
    entry,
    exit,
    recordsHistory,
    historyDeep,
    historyDefault,
    nEvents,
    cols,
    doneCol,
    eventNames,
    eventIndex,
    cellStart,
    arcFn,
    arcGuard,
    arcEffect,
    arcTarget: Int32Array.from(arcTarget),
    choiceStart,
    choiceEnd,
    firstHandler,
    refs: Object.freeze(refs),
    hooks: raw.hooks,
  };
}

/**
 * The scope of a transition from source s to target t (HSM-SEM-4): the least common ancestor,
 * where a state containing the other is itself the scope (UML local kind) and a
 * self-transition is external (scope = parent).
 */
export function computeScope(def: CompiledDefinition, s: number, t: number): number {
  const { depth, chain, chainOff, parent } = def;
  if (s === t) return parent[s] as number;
  const ds = depth[s] as number;
  const dt = depth[t] as number;
  if (ds < dt && chain[(chainOff[t] as number) + ds] === s) return s;
  if (dt < ds && chain[(chainOff[s] as number) + dt] === t) return t;
  let d = Math.min(ds, dt);
  while (chain[(chainOff[s] as number) + d] !== chain[(chainOff[t] as number) + d]) d--;
  return chain[(chainOff[s] as number) + d] as number;
}
