/**
 * HSM-PERF-1: the specialised dispatch (compile-dispatch.ts, the default) behaves exactly as the
 * table interpreter (MachineRuntime.step, `compile: false`). Random valid machine definitions
 * (nested states up to depth 4, composites with an initial that may target a deeper descendant or
 * with none (resting at the composite), finals, shallow/deep history with or without default,
 * choices, terminate, guarded/internal/function handlers, catch-alls, completion transitions,
 * generic hooks, post() from effects, entry/exit actions that wrongly return a value, function
 * handlers returning a non-outcome) are run on both paths with the same event sequence; every
 * guard, effect, action and hook writes to a log, and the logs, configuration, status, counters
 * and error codes must agree after every event. Hand-written cases pin one machine per path kind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HANDLED, HsmError, UNHANDLED, defineMachine, payload } from '../../src/hsm/index.js';

// ---- the untyped view of a random definition ------------------------------------------------
// The typed builder cannot express a definition whose names are only known at run time, so the
// random path goes through these local interfaces (casts stay inside this file).

interface Ctx {
  readonly log: string[];
  /** Deterministic counter read by guards and function handlers, bumped by effects. */
  n: number;
  posts: number;
  /** Log lines left in this step: a definition can livelock (UML allows it), so cap the work. */
  budget: number;
  self: UntypedMachine | null;
}

const STEP_BUDGET = 400;

/** Appends to the log; throws a plain Error (a user-code failure) once the step's budget is spent. */
function log(c: Ctx, line: string): void {
  if (--c.budget < 0) throw new Error('runaway');
  c.log.push(line);
}

interface UntypedMachine {
  readonly state: string;
  readonly status: string;
  readonly unhandledCount: number;
  readonly droppedCount: number;
  start(): unknown;
  dispatch(event: string, payload?: unknown): void;
  postName(event: string, payload?: unknown): void;
  isIn(state: string): boolean;
}

interface UntypedDefinition {
  create(ctx: Ctx, options?: { readonly compile?: boolean }): UntypedMachine;
}

interface UntypedBuilder {
  events(events: Record<string, unknown>): {
    states(
      structure: Record<string, Record<string, unknown>>,
      root: { readonly initial: string },
    ): { build(behaviour: Record<string, unknown>, hooks?: Record<string, unknown>): UntypedDefinition };
  };
}

type Guard = (c: Ctx, p: unknown) => boolean;
type Effect = (c: Ctx, p: unknown) => void;
type Fn = (c: Ctx, p: unknown, s: Readonly<Record<string, number>>, ev: string) => number;
type Reaction = string | Fn | { target?: string; guard?: Guard; effect?: Effect };

const num = (p: unknown): number => (typeof p === 'number' ? p : 0);

// ---- the random specification ---------------------------------------------------------------
// A spec is plain numbers and flags (so fast-check can shrink it); buildMachine() turns it into
// a valid definition deterministically. Picks are taken modulo the length of the candidate list.

const guardArb = fc.option(fc.record({ mod: fc.integer({ min: 2, max: 5 }), rem: fc.nat(4) }), { nil: undefined });
type GuardSpec = { mod: number; rem: number } | undefined;

const reactionArb = fc.record({
  kind: fc.constantFrom('target', 'spec', 'internal', 'fn'),
  target: fc.nat(),
  guard: guardArb,
  effect: fc.boolean(),
  /** Event pick to post() from the effect, if any. */
  post: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
  fnMod: fc.integer({ min: 2, max: 5 }),
  /** A function handler that sometimes returns a number that is no outcome (TP_ERR_HSM_BAD_OUTCOME). */
  bad: fc.oneof({ arbitrary: fc.constant(undefined), weight: 14 }, { arbitrary: fc.constantFrom(0, -3, 999), weight: 1 }),
});
type ReactionSpec = typeof reactionArb extends fc.Arbitrary<infer R> ? R : never;

const reactionsArb = fc.option(fc.array(reactionArb, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 });

const behaviourArb = fc.record({
  entry: fc.boolean(),
  exit: fc.boolean(),
  initialEffect: fc.boolean(),
  /** Entry/exit actions that sometimes return a value (HSM-SEM-5 error path). */
  faulty: fc.integer({ min: 0, max: 24 }).map((x) => x === 24),
  on: fc.array(reactionsArb, { minLength: 5, maxLength: 5 }),
  any: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.array(reactionArb, { minLength: 1, maxLength: 2 }), weight: 1 }),
  done: reactionsArb,
});
type BehaviourSpec = typeof behaviourArb extends fc.Arbitrary<infer R> ? R : never;

const specArb = fc.record({
  nStates: fc.integer({ min: 1, max: 12 }),
  parents: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  initials: fc.array(fc.nat(), { minLength: 13, maxLength: 13 }),
  /** Composites (not Root) that have no initial and so rest at themselves when entered. */
  resting: fc.array(fc.integer({ min: 0, max: 4 }).map((x) => x === 4), { minLength: 13, maxLength: 13 }),
  finals: fc.array(fc.nat(), { maxLength: 3 }),
  histories: fc.array(fc.record({ owner: fc.nat(), deep: fc.boolean(), def: fc.option(fc.nat(), { nil: undefined }) }), {
    maxLength: 2,
  }),
  choices: fc.array(
    fc.record({
      parent: fc.nat(),
      branches: fc.array(fc.record({ guard: fc.record({ mod: fc.integer({ min: 2, max: 4 }), rem: fc.nat(3) }), target: fc.nat(), effect: fc.boolean() }), {
        minLength: 1,
        maxLength: 3,
      }),
      elseTarget: fc.nat(),
      elseEffect: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
  terminate: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
  nEvents: fc.integer({ min: 1, max: 5 }),
  behaviours: fc.array(behaviourArb, { minLength: 13, maxLength: 13 }),
  hooks: fc.record({ onEntry: fc.boolean(), onExit: fc.boolean(), onUnhandled: fc.boolean() }),
  events: fc.array(fc.record({ ev: fc.nat(), p: fc.nat(9) }), { minLength: 20, maxLength: 60 }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer R> ? R : never;

const at = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i % xs.length];
  if (x === undefined) throw new Error(`pick from an empty list`);
  return x;
};

interface Built {
  readonly def: UntypedDefinition;
  readonly events: readonly string[];
  /** Every vertex name but Root, for isIn comparisons. */
  readonly names: readonly string[];
  /** Human-readable summary for failure messages. */
  readonly describe: string;
}

function buildMachine(spec: Spec): Built {
  // Vertex tables; index 0 is Root.
  const names = ['Root'];
  const parent = [-1];
  const depth = [0];
  const kind: string[] = ['state'];
  const add = (name: string, k: string, p: number): number => {
    names.push(name);
    parent.push(p);
    depth.push((depth[p] ?? 0) + 1);
    kind.push(k);
    return names.length - 1;
  };

  // Plain states S0..: parent is Root or an earlier state of depth <= 3 (so depth <= 4).
  const states = [0];
  for (let i = 0; i < spec.nStates; i++) {
    let p = at(states, at(spec.parents, i));
    if ((depth[p] ?? 0) >= 4) p = 0;
    states.push(add(`S${i}`, 'state', p));
  }
  spec.finals.forEach((pick, i) => {
    let owner = at(states, pick);
    while ((depth[owner] ?? 0) >= 4) owner = parent[owner] ?? 0;
    add(`F${i}`, 'final', owner);
  });
  const isAncestor = (a: number, b: number): boolean => {
    for (let x = parent[b] ?? -1; x !== -1; x = parent[x] ?? -1) if (x === a) return true;
    return false;
  };
  const descendantsOf = (a: number): number[] =>
    names.map((_, v) => v).filter((v) => (kind[v] === 'state' || kind[v] === 'final') && v !== 0 && isAncestor(a, v));
  const composites = states.filter((v) => names.some((_, c) => parent[c] === v && (kind[c] === 'state' || kind[c] === 'final')));
  const initialOf = new Map<number, number>();
  composites.forEach((v) => {
    if (v === 0 || !at(spec.resting, v)) initialOf.set(v, at(descendantsOf(v), at(spec.initials, v)));
  });

  const histOf = new Map<number, { owner: number; deep: boolean; def: number | undefined }>();
  const seen = new Set<string>();
  spec.histories.forEach((h, i) => {
    const owner = at(composites, h.owner);
    const key = `${owner}:${h.deep}`;
    if (seen.has(key)) return;
    seen.add(key);
    const v = add(`H${i}`, 'history', owner);
    histOf.set(v, { owner, deep: h.deep, def: h.def === undefined ? undefined : at(descendantsOf(owner), h.def) });
  });
  if (spec.terminate !== undefined) add('T0', 'terminate', at(states, spec.terminate));
  const choiceIds = spec.choices.map((c, i) => add(`C${i}`, 'choice', at(states, c.parent)));

  // Transition targets: any vertex but Root. A choice may target only later choices, so choice
  // chains always end (a choice cycle would loop for ever).
  const allTargets = names.map((_, v) => v).filter((v) => v !== 0);
  const choiceTargets = (ci: number): number[] =>
    allTargets.filter((v) => kind[v] !== 'choice' || choiceIds.indexOf(v) > ci);

  const structure: Record<string, Record<string, unknown>> = {};
  for (let v = 1; v < names.length; v++) {
    const shape: Record<string, unknown> = {};
    if (kind[v] !== 'state') shape['kind'] = kind[v];
    if (parent[v] !== 0) shape['parent'] = names[parent[v] ?? 0];
    const init = initialOf.get(v);
    if (init !== undefined) shape['initial'] = names[init];
    const h = histOf.get(v);
    if (h !== undefined) {
      if (h.deep) shape['deep'] = true;
      if (h.def !== undefined) shape['default'] = names[h.def];
    }
    structure[names[v] ?? '?'] = shape;
  }
  const events = Array.from({ length: spec.nEvents }, (_, i) => `E${i}`);
  const eventsObj: Record<string, unknown> = {};
  for (const e of events) eventsObj[e] = payload<number>();

  // Behaviour. Labels make every log line say which arc of which state produced it.
  const guardFn = (g: NonNullable<GuardSpec>, label: string): Guard => (c, p) => {
    log(c, `guard ${label}`);
    return (c.n + num(p)) % g.mod !== g.rem;
  };
  const effectFn = (r: { post: number | undefined }, label: string): Effect => (c, p) => {
    log(c, `effect ${label} p=${String(p)}`);
    c.n++;
    if (r.post !== undefined && c.posts < 6 && c.self !== null) {
      c.posts++;
      c.self.postName(at(events, r.post), num(p) + 1);
    }
  };
  // A completion transition can re-trigger its own completion for ever (a livelock UML allows);
  // so that the budget in log() sees every round, completion arcs always log when taken.
  const reaction = (r: ReactionSpec, label: string, mustLog: boolean): Reaction => {
    const target = names[at(allTargets, r.target)] ?? '?';
    switch (mustLog && r.kind === 'target' ? 'spec' : r.kind) {
      case 'target':
        return target;
      case 'fn':
        return (c, p, s, ev) => {
          log(c, `fn ${label} ev=${ev} p=${String(p)}`);
          c.n++;
          const m = (c.n + num(p)) % r.fnMod;
          if (m === 0) return HANDLED;
          if (m === 1) return UNHANDLED;
          if (r.bad !== undefined) return r.bad;
          const ref = s[target];
          if (ref === undefined) throw new Error(`no ref for ${target}`);
          return ref;
        };
      default: {
        const out: { target?: string; guard?: Guard; effect?: Effect } = {};
        if (r.kind !== 'internal') out.target = target;
        if (r.guard !== undefined) out.guard = guardFn(r.guard, label);
        if (r.effect || r.kind === 'internal' || mustLog) out.effect = effectFn(r, label);
        return out;
      }
    }
  };
  const reactions = (rs: readonly ReactionSpec[], label: string, mustLog = false): Reaction | Reaction[] => {
    const list = rs.map((r, i) => reaction(r, `${label}#${i}`, mustLog));
    return list.length === 1 ? (list[0] as Reaction) : list;
  };
  const action = (b: BehaviourSpec, what: string, name: string) => (c: Ctx): unknown => {
    log(c, `${what} ${name}`);
    // A faulty action sometimes returns a value, which the engine must reject the same way.
    return b.faulty && c.n % 3 === 2 ? 'oops' : undefined;
  };

  const behaviour: Record<string, unknown> = {};
  for (const v of states) {
    const b = at(spec.behaviours, v);
    const name = names[v] ?? '?';
    const out: Record<string, unknown> = {};
    if (v !== 0) {
      if (b.entry || b.faulty) out['entry'] = action(b, 'entry', name);
      if (b.exit || b.faulty) out['exit'] = action(b, 'exit', name);
      if (b.initialEffect && initialOf.has(v)) out['initialEffect'] = (c: Ctx): void => void log(c, `initial ${name}`);
      const hasFinal = names.some((_, c) => parent[c] === v && kind[c] === 'final');
      if (b.done !== undefined && hasFinal) out['done'] = reactions(b.done, `${name}.done`, true);
    }
    const on: Record<string, unknown> = {};
    events.forEach((e, i) => {
      const rs = b.on[i];
      if (rs !== undefined) on[e] = reactions(rs, `${name}.${e}`);
    });
    if (Object.keys(on).length > 0) out['on'] = on;
    if (b.any !== undefined) out['any'] = reactions(b.any, `${name}.any`);
    if (Object.keys(out).length > 0) behaviour[name] = out;
  }
  spec.choices.forEach((c, ci) => {
    const targets = choiceTargets(ci);
    const label = `C${ci}`;
    const branches: unknown[] = c.branches.map((br, i) => ({
      guard: guardFn(br.guard, `${label}[${i}]`),
      target: names[at(targets, br.target)],
      ...(br.effect ? { effect: effectFn({ post: undefined }, `${label}[${i}]`) } : {}),
    }));
    branches.push({
      else: names[at(targets, c.elseTarget)],
      ...(c.elseEffect ? { effect: effectFn({ post: undefined }, `${label}[else]`) } : {}),
    });
    behaviour[label] = { branches };
  });
  const hooks: Record<string, unknown> = {};
  if (spec.hooks.onEntry) hooks['onEntry'] = (c: Ctx, s: string): void => void log(c, `onEntry ${s}`);
  if (spec.hooks.onExit) hooks['onExit'] = (c: Ctx, s: string): void => void log(c, `onExit ${s}`);
  if (spec.hooks.onUnhandled) {
    hooks['onUnhandled'] = (c: Ctx, e: string, p: unknown): void => void log(c, `onUnhandled ${e} p=${String(p)}`);
  }

  const rootInitial = names[initialOf.get(0) ?? -1] ?? '?';
  const builder = defineMachine<Ctx>('Rand') as unknown as UntypedBuilder;
  const def = builder.events(eventsObj).states(structure, { initial: rootInitial }).build(behaviour, hooks);
  return {
    def,
    events,
    names: names.slice(1),
    describe: JSON.stringify({ structure, rootInitial }),
  };
}

// ---- running both paths ---------------------------------------------------------------------

const newCtx = (): Ctx => ({ log: [], n: 0, posts: 0, budget: STEP_BUDGET, self: null });

/** Runs `f`; returns null, or the error's identity (engine errors only: anything else is a crash). */
function attempt(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    if (err instanceof HsmError) return `${err.constructor.name}:${err.code}`;
    // The livelock guard's error is user code failing: it must propagate the same way on both.
    if (err instanceof Error && err.message === 'runaway') return 'runaway';
    throw err;
  }
}

function snapshot(m: UntypedMachine, c: Ctx, names: readonly string[]): unknown {
  return {
    state: m.state,
    status: m.status,
    unhandledCount: m.unhandledCount,
    droppedCount: m.droppedCount,
    n: c.n,
    active: names.filter((s) => m.isIn(s)),
  };
}

/** Runs the same events on a compiled and an interpreted instance, comparing after each step. */
function runBoth(def: UntypedDefinition, names: readonly string[], steps: readonly (readonly [string, unknown])[], info: string): UntypedMachine {
  const c1 = newCtx();
  const c2 = newCtx();
  const compiled = def.create(c1);
  const interpreted = def.create(c2, { compile: false });
  c1.self = compiled;
  c2.self = interpreted;
  assert.notEqual(
    Object.getPrototypeOf(compiled),
    Object.getPrototypeOf(interpreted),
    'the default create() must use the specialised dispatch, or this test compares the interpreter with itself',
  );
  const check = (where: string, e1: string | null, e2: string | null): void => {
    c1.budget = c2.budget = STEP_BUDGET;
    const ctxt = `${where}\n${info}`;
    assert.equal(e1, e2, `error differs at ${ctxt}`);
    assert.deepEqual(c1.log, c2.log, `log differs at ${ctxt}`);
    assert.deepEqual(snapshot(compiled, c1, names), snapshot(interpreted, c2, names), `configuration differs at ${ctxt}`);
  };
  check('start()', attempt(() => compiled.start()), attempt(() => interpreted.start()));
  steps.forEach(([ev, p], i) => {
    check(`event #${i} ${ev}(${String(p)})`, attempt(() => compiled.dispatch(ev, p)), attempt(() => interpreted.dispatch(ev, p)));
  });
  return compiled;
}

/** About 4 s; a one-off run of 20 000 found no divergence either. */
const NUM_RUNS = 600;

describe('HSM-PERF-1: specialised dispatch ≡ interpreter', () => {
  test(`random valid machines, random event sequences (${NUM_RUNS} runs)`, () => {
    const statuses = new Map<string, number>();
    fc.assert(
      fc.property(specArb, (spec) => {
        const built = buildMachine(spec);
        const steps = spec.events.map(({ ev, p }) => [at(built.events, ev), p] as const);
        const m = runBoth(built.def, built.names, steps, built.describe);
        statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1);
        return true;
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator must reach every way a run can end, or some paths go untested.
    for (const s of ['running', 'complete', 'terminated', 'faulted']) {
      assert.ok((statuses.get(s) ?? 0) > 0, `no random run ended '${s}': ${JSON.stringify([...statuses])}`);
    }
  });
});

// ---- hand-written cases, one per path kind --------------------------------------------------

interface LogCtx {
  readonly log: string[];
}

const logged = (name: string) => ({
  entry: (c: LogCtx): void => void c.log.push(`entry ${name}`),
  exit: (c: LogCtx): void => void c.log.push(`exit ${name}`),
});

/** Runs `events` on both paths and asserts equal logs/state/status; returns the compiled trace. */
function compareTyped<E extends string>(
  def: {
    create(ctx: LogCtx, options?: { compile?: boolean }): {
      readonly state: string;
      readonly status: string;
      start(): unknown;
      dispatch(event: E): void;
    };
  },
  events: readonly E[],
): { log: string[][]; states: string[]; errors: (string | null)[] } {
  const c1: LogCtx = { log: [] };
  const c2: LogCtx = { log: [] };
  const m1 = def.create(c1);
  const m2 = def.create(c2, { compile: false });
  assert.notEqual(Object.getPrototypeOf(m1), Object.getPrototypeOf(m2));
  const out = { log: [] as string[][], states: [] as string[], errors: [] as (string | null)[] };
  const step = (label: string, f1: () => unknown, f2: () => unknown): void => {
    const e1 = attempt(f1);
    const e2 = attempt(f2);
    assert.equal(e1, e2, `error at ${label}`);
    assert.deepEqual(c1.log, c2.log, `log at ${label}`);
    assert.equal(m1.state, m2.state, `state at ${label}`);
    assert.equal(m1.status, m2.status, `status at ${label}`);
    out.log.push(c1.log.splice(0));
    c2.log.length = 0;
    out.states.push(m1.state);
    out.errors.push(e1);
  };
  step('start', () => m1.start(), () => m2.start());
  for (const e of events) step(e, () => m1.dispatch(e), () => m2.dispatch(e));
  return out;
}

describe('HSM-PERF-1: hand-written machines on both paths', () => {
  test('deep sibling transition records history, which a later transition restores', () => {
    const Def = defineMachine<LogCtx>('DeepSibling')
      .events({ Across: payload(), Leave: payload(), Back: payload(), BackShallow: payload() })
      .states(
        {
          A: { initial: 'A1' },
          A1: { parent: 'A', initial: 'A1x' },
          A1x: { parent: 'A1', initial: 'A1x1' },
          A1x1: { parent: 'A1x' },
          A2: { parent: 'A', initial: 'A2y' },
          A2y: { parent: 'A2', initial: 'A2y1' },
          A2y1: { parent: 'A2y' },
          AH: { kind: 'history', parent: 'A', deep: true },
          AS: { kind: 'history', parent: 'A' },
          B: {},
        },
        { initial: 'A' },
      )
      .build({
        A: logged('A'),
        A1: logged('A1'),
        A1x: logged('A1x'),
        // Deep sibling transition: leaf A1x1 of A1 to A2y1 inside sibling A2.
        A1x1: { ...logged('A1x1'), on: { Across: 'A2y1' } },
        A2: logged('A2'),
        A2y: logged('A2y'),
        A2y1: { ...logged('A2y1'), on: { Leave: 'B' } },
        B: { ...logged('B'), on: { Back: 'AH', BackShallow: 'AS' } },
      });
    const r = compareTyped(Def, ['Across', 'Leave', 'Back', 'Leave', 'BackShallow']);
    assert.deepEqual(r.log, [
      ['entry A', 'entry A1', 'entry A1x', 'entry A1x1'],
      ['exit A1x1', 'exit A1x', 'exit A1', 'entry A2', 'entry A2y', 'entry A2y1'],
      ['exit A2y1', 'exit A2y', 'exit A2', 'exit A', 'entry B'],
      // Deep history restores the last active leaf with every state on the way.
      ['exit B', 'entry A', 'entry A2', 'entry A2y', 'entry A2y1'],
      ['exit A2y1', 'exit A2y', 'exit A2', 'exit A', 'entry B'],
      // Shallow history restores A2 and then follows A2's initial chain (to the same leaf here).
      ['exit B', 'entry A', 'entry A2', 'entry A2y', 'entry A2y1'],
    ]);
    assert.deepEqual(r.states, ['A1x1', 'A2y1', 'B', 'A2y1', 'B', 'A2y1']);
  });

  test('transition to an ancestor is local and re-runs its initial chain', () => {
    const Def = defineMachine<LogCtx>('ToAncestor')
      .events({ Deeper: payload(), Up: payload(), Top: payload() })
      .states(
        {
          P: { initial: 'Q' },
          Q: { parent: 'P', initial: 'Q1' },
          Q1: { parent: 'Q' },
          Q2: { parent: 'Q' },
        },
        { initial: 'P' },
      )
      .build({
        P: { ...logged('P'), initialEffect: (c) => void c.log.push('initial P') },
        Q: { ...logged('Q'), initialEffect: (c) => void c.log.push('initial Q') },
        Q1: { ...logged('Q1'), on: { Deeper: 'Q2' } },
        // Handled in the leaf, targeting its grandparent: exits Q2 and Q, not P.
        Q2: { ...logged('Q2'), on: { Up: { target: 'P', effect: (c) => void c.log.push('effect Up') } } },
        Root: { on: { Top: 'P' } },
      });
    const r = compareTyped(Def, ['Deeper', 'Up', 'Deeper', 'Top']);
    assert.deepEqual(r.log, [
      ['entry P', 'initial P', 'entry Q', 'initial Q', 'entry Q1'],
      ['exit Q1', 'entry Q2'],
      ['exit Q2', 'exit Q', 'effect Up', 'initial P', 'entry Q', 'initial Q', 'entry Q1'],
      ['exit Q1', 'entry Q2'],
      // From Root's handler, P is below the scope (Root): exited and re-entered.
      ['exit Q2', 'exit Q', 'exit P', 'entry P', 'initial P', 'entry Q', 'initial Q', 'entry Q1'],
    ]);
  });

  test('completion cascade: final → done → final → done → top-level final completes the machine', () => {
    const Def = defineMachine<LogCtx>('Cascade')
      .events({ Finish: payload(), Again: payload() })
      .states(
        {
          Outer: { initial: 'Inner' },
          Inner: { parent: 'Outer', initial: 'Work' },
          Work: { parent: 'Inner' },
          InnerDone: { kind: 'final', parent: 'Inner' },
          OuterDone: { kind: 'final', parent: 'Outer' },
          End: { kind: 'final' },
        },
        { initial: 'Outer' },
      )
      .build({
        Outer: { ...logged('Outer'), done: { target: 'End', effect: (c) => void c.log.push('Outer.done') } },
        Inner: { ...logged('Inner'), done: [{ guard: () => false, target: 'Work' }, 'OuterDone'] },
        Work: { ...logged('Work'), on: { Finish: 'InnerDone' } },
      });
    const r = compareTyped(Def, ['Again', 'Finish', 'Again']);
    assert.deepEqual(r.log, [
      ['entry Outer', 'entry Inner', 'entry Work'],
      [],
      ['exit Work', 'exit Inner', 'exit Outer', 'Outer.done'],
      [],
    ]);
    assert.deepEqual(r.errors, [null, null, null, 'HsmLifecycleError:TP_ERR_HSM_COMPLETED']);
    assert.deepEqual(r.states, ['Work', 'Work', 'End', 'End']);
  });
});
