/**
 * The run-time of one machine instance: the UML run-to-completion algorithm over the flat
 * tables of a compiled definition. Invariants between steps: `active` is a leaf of the
 * configuration (a state with no active child), `busy` is false, the queue is drained.
 *
 * Nothing here allocates while dispatching: events and states are integers, handlers come
 * from preallocated arrays, the post queue is a ring allocated on the first post and reused.
 */
import { ROOT, computeScope, type CompiledDefinition, type RawEffect, type RawFn, type RawGuard } from './compile-definition.js';
import {
  HsmActionTransitionError,
  HsmError,
  HsmLifecycleError,
  HsmQueueFullError,
  HsmReentrancyError,
} from './errors.js';
import { HANDLED, UNHANDLED } from './outcome.js';
import type { Tracer } from './tracer.js';
import { KIND_CHOICE, KIND_FINAL, KIND_HISTORY, KIND_STATE, KIND_TERMINATE } from './vertex-kind.js';

const EMPTY = new Int32Array(0);

const STATUS_NEW = 0;
export const STATUS_RUNNING = 1;
const STATUS_COMPLETE = 2;
const STATUS_TERMINATED = 3;
const STATUS_FAULTED = 4;
const STATUS_NAMES = ['new', 'running', 'complete', 'terminated', 'faulted'] as const;
export type MachineStatus = (typeof STATUS_NAMES)[number];

/** tryCell results. */
const DECLINED = 0;
const CONSUMED = 1;

export interface RuntimeOptions {
  readonly tracer?: Tracer | undefined;
  /** Capacity of the post() queue (events posted during one step). Default 64. */
  readonly queueCapacity?: number | undefined;
}

export class MachineRuntime {
  readonly ctx: unknown;
  readonly definition: CompiledDefinition;
  /** The deepest active state. Between steps, a leaf. */
  protected active = ROOT;
  protected statusCode = STATUS_NEW;
  protected busy = false;
  /** True from a transition's first exit to its last entry: a throw there leaves no valid configuration. */
  protected inTransition = false;
  /**
   * The first entry (+id) or exit (-id) action of the current transition that returned a value
   * (an attempt to transition from an action, HSM-SEM-5), or 0. The error is raised when the
   * transition's actions have run, not at the offending call: the specialised dispatch does the
   * same with one check per transition instead of a throwing call after every action, which kept
   * V8 from optimising transitions inside the run-to-completion guard.
   */
  protected badAction = 0;
  /** Composite whose final child was just entered (completion pending), or -1. */
  protected pendingDone = -1;
  protected unhandled = 0;
  protected dropped = 0;
  protected readonly tracer: Tracer | null;
  // Hot tables, copied from the definition so each access is one load.
  protected readonly firstHandler: Int32Array;
  protected readonly cellStart: Int32Array;
  protected readonly arcFn: readonly (RawFn | null)[];
  protected readonly arcGuard: readonly (RawGuard | null)[];
  protected readonly arcEffect: readonly (RawEffect | null)[];
  protected readonly arcTarget: Int32Array;
  protected readonly parent: Int32Array;
  protected readonly nEvents: number;
  protected readonly cols: number;
  protected readonly refs: unknown;
  protected readonly eventNames: readonly string[];
  // History, per owning composite: last active child (shallow) and last active leaf (deep).
  // Empty (shared) when the definition has no history pseudostate: a machine pays for history
  // only if it uses it. The driver keeps one lease machine per lease, so this matters.
  protected readonly lastChild: Int32Array;
  protected readonly lastLeaf: Int32Array;
  // Post queue (ring buffer).
  // Allocated on the first post() during a step (most machines never post), then reused.
  protected qEvent: Int32Array = EMPTY;
  protected qPayload: unknown[] = [];
  protected readonly qCapacity: number;
  protected qHead = 0;
  protected qLen = 0;

  constructor(definition: CompiledDefinition, ctx: unknown, options: RuntimeOptions = {}) {
    const d = definition;
    this.ctx = ctx;
    this.definition = d;
    this.tracer = options.tracer ?? null;
    this.firstHandler = d.firstHandler;
    this.cellStart = d.cellStart;
    this.arcFn = d.arcFn;
    this.arcGuard = d.arcGuard;
    this.arcEffect = d.arcEffect;
    this.arcTarget = d.arcTarget;
    this.parent = d.parent;
    this.nEvents = d.nEvents;
    this.cols = d.cols;
    this.refs = d.refs;
    this.eventNames = d.eventNames;
    const history = d.recordsHistory.includes(1);
    this.lastChild = history ? new Int32Array(d.n).fill(-1) : EMPTY;
    this.lastLeaf = history ? new Int32Array(d.n).fill(-1) : EMPTY;
    const cap = options.queueCapacity ?? 64;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new HsmError('TP_ERR_HSM_DEFINITION', `queueCapacity must be a positive integer, got ${String(cap)}`);
    }
    this.qCapacity = cap;
  }

  // ---- queries -------------------------------------------------------------------------

  get stateId(): number {
    return this.active;
  }

  get state(): string {
    return this.definition.names[this.active] as string;
  }

  get status(): MachineStatus {
    return STATUS_NAMES[this.statusCode] as MachineStatus;
  }

  get unhandledCount(): number {
    return this.unhandled;
  }

  /** Events posted but discarded because the machine completed or terminated first. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** True if `id` is the active leaf or one of its ancestors. */
  isInId(id: number): boolean {
    return this.isAncestorOrSelf(id, this.active);
  }

  isIn(name: string): boolean {
    const id = this.definition.refs[name];
    return id !== undefined && this.isInId(id);
  }

  // ---- lifecycle -----------------------------------------------------------------------

  /** Enters Root's initial path (HSM-SEM-2) and processes any completion it causes. */
  start(): this {
    if (this.statusCode !== STATUS_NEW) {
      throw new HsmLifecycleError('TP_ERR_HSM_ALREADY_STARTED', `machine '${this.definition.name}' was already started`);
    }
    this.statusCode = STATUS_RUNNING;
    this.busy = true;
    try {
      this.inTransition = true;
      this.settle(ROOT);
      if (this.badAction !== 0) this.throwBadAction();
      this.inTransition = false;
      this.completions();
      if (this.qLen !== 0) this.drain();
    } catch (err) {
      this.fail();
      throw err;
    }
    this.busy = false;
    return this;
  }

  // ---- dispatch ------------------------------------------------------------------------

  /** Processes event `e` to completion, then anything posted meanwhile (HSM-SEM-3, -5). */
  send(e: number, payload?: unknown): void {
    if (this.statusCode !== STATUS_RUNNING || this.busy) this.rejectSend(e);
    this.busy = true;
    try {
      this.step(e, payload);
      if (this.qLen !== 0) this.drain();
    } catch (err) {
      this.fail();
      throw err;
    }
    this.busy = false;
  }

  dispatch(event: string, payload?: unknown): void {
    this.send(this.eventId(event), payload);
  }

  /**
   * Queues event `e` to run after the current step (HSM-SEM-5). Outside a step it is sent at
   * once. The queue is a preallocated ring; posting into a full one throws.
   */
  post(e: number, payload?: unknown): void {
    if (!this.busy) {
      this.send(e, payload);
      return;
    }
    const cap = this.qCapacity;
    if (this.qLen === cap) throw new HsmQueueFullError(this.definition.name, cap);
    if (this.qEvent.length === 0) {
      this.qEvent = new Int32Array(cap);
      this.qPayload = new Array<unknown>(cap).fill(undefined);
    }
    let i = this.qHead + this.qLen;
    if (i >= cap) i -= cap;
    this.qEvent[i] = e;
    this.qPayload[i] = payload;
    this.qLen++;
  }

  postName(event: string, payload?: unknown): void {
    this.post(this.eventId(event), payload);
  }

  eventId(event: string): number {
    const id = this.definition.eventIndex.get(event);
    if (id === undefined) {
      throw new HsmError('TP_ERR_HSM_UNKNOWN_EVENT', `machine '${this.definition.name}' has no event '${event}'`);
    }
    return id;
  }

  protected rejectSend(e: number): never {
    const name = this.eventNames[e] ?? String(e);
    const m = this.definition.name;
    if (this.busy) throw new HsmReentrancyError(m, name);
    switch (this.statusCode) {
      case STATUS_NEW:
        throw new HsmLifecycleError('TP_ERR_HSM_NOT_STARTED', `machine '${m}': call start() before sending '${name}'`);
      case STATUS_COMPLETE:
        throw new HsmLifecycleError('TP_ERR_HSM_COMPLETED', `machine '${m}' has completed (reached its final state) and accepts no events ('${name}')`);
      case STATUS_TERMINATED:
        throw new HsmLifecycleError('TP_ERR_HSM_TERMINATED', `machine '${m}' was terminated and accepts no events ('${name}')`);
      default:
        throw new HsmLifecycleError('TP_ERR_HSM_FAULTED', `machine '${m}' faulted (an action threw during a transition) and accepts no events ('${name}'); create a new instance`);
    }
  }

  /** A throw mid-transition leaves no valid configuration: the machine refuses further events. */
  protected fail(): void {
    this.busy = false;
    if (this.inTransition) this.statusCode = STATUS_FAULTED;
    this.inTransition = false;
    this.badAction = 0;
    this.pendingDone = -1;
    this.clearQueue();
  }

  protected clearQueue(): void {
    this.dropped += this.qLen;
    this.qPayload.fill(undefined);
    this.qHead = 0;
    this.qLen = 0;
  }

  protected drain(): void {
    while (this.qLen !== 0) {
      if (this.statusCode !== STATUS_RUNNING) {
        this.clearQueue();
        return;
      }
      const h = this.qHead;
      const e = this.qEvent[h] as number;
      const p = this.qPayload[h];
      this.qPayload[h] = undefined;
      this.qHead = h + 1 === this.qEvent.length ? 0 : h + 1;
      this.qLen--;
      this.step(e, p);
    }
  }

  /** One run-to-completion step: search leaf → Root for a consuming reaction. */
  protected step(e: number, payload: unknown): void {
    const tr = this.tracer;
    if (tr !== null) tr.dispatchStart?.(this.eventNames[e] as string, this.state);
    const nE = this.nEvents;
    let s = this.firstHandler[this.active * nE + e] as number;
    while (s >= 0) {
      if (tr !== null) tr.attempt?.(this.eventNames[e] as string, this.definition.names[s] as string);
      const base = s * this.cols;
      let r = this.tryCell(s, base + e, e, payload);
      if (r === DECLINED) r = this.tryCell(s, base + nE, e, payload);
      if (r !== DECLINED) {
        if (this.pendingDone >= 0) this.completions();
        if (tr !== null) tr.dispatchResult?.(this.eventNames[e] as string, r === CONSUMED ? 'handled' : 'transition');
        return;
      }
      s = s === ROOT ? -1 : (this.firstHandler[(this.parent[s] as number) * nE + e] as number);
    }
    this.unhandledEvent(e, payload);
  }

  /** Nobody consumed event e: count it and tell the hook and tracer (HSM-SEM-3). */
  protected unhandledEvent(e: number, payload: unknown): void {
    this.unhandled++;
    const hook = this.definition.hooks.onUnhandled;
    if (hook !== undefined) hook(this.ctx, this.eventNames[e] as string, payload);
    if (this.tracer !== null) this.tracer.dispatchResult?.(this.eventNames[e] as string, 'unhandled');
  }

  /** A function handler in state s returned r for event e: validate it, then transition. */
  protected outcomeTransition(s: number, e: number, r: number, payload: unknown): void {
    if (!(Number.isInteger(r) && r >= 1 && r < this.definition.n)) this.badOutcome(s, e, r);
    this.transition(s, r, null, payload);
    if (this.pendingDone >= 0) this.completions();
  }

  /** Tries the arcs of one cell in order. Returns DECLINED, CONSUMED, or 2 for a transition. */
  protected tryCell(s: number, cell: number, e: number, payload: unknown): number {
    const end = this.cellStart[cell + 1] as number;
    for (let i = this.cellStart[cell] as number; i < end; i++) {
      const fn = this.arcFn[i] as RawFn | null;
      if (fn !== null) {
        const r = fn(this.ctx, payload, this.refs, this.eventNames[e] as string);
        if (r === UNHANDLED) continue;
        if (r === HANDLED) return CONSUMED;
        if (!(Number.isInteger(r) && r >= 1 && r < this.definition.n)) this.badOutcome(s, e, r);
        this.transition(s, r, null, payload);
        return 2;
      }
      const g = this.arcGuard[i] as RawGuard | null;
      if (g !== null && !g(this.ctx, payload)) continue;
      const t = this.arcTarget[i] as number;
      if (t < 0) {
        const ef = this.arcEffect[i] as RawEffect | null;
        if (ef !== null) ef(this.ctx, payload);
        return CONSUMED;
      }
      this.transition(s, t, this.arcEffect[i] as RawEffect | null, payload);
      return 2;
    }
    return DECLINED;
  }

  protected badOutcome(s: number, e: number, r: unknown): never {
    throw new HsmError(
      'TP_ERR_HSM_BAD_OUTCOME',
      `machine '${this.definition.name}': the handler of '${this.eventNames[e]}' in ` +
        `'${this.definition.names[s]}' returned ${String(r)}; return HANDLED, UNHANDLED or a state from the refs argument`,
    );
  }

  /** Runs completion transitions until none is pending (HSM-SEM-8), before the next event. */
  protected completions(): void {
    while (this.pendingDone >= 0 && this.statusCode === STATUS_RUNNING) {
      const c = this.pendingDone;
      this.pendingDone = -1;
      if (c === ROOT) {
        this.statusCode = STATUS_COMPLETE;
        return;
      }
      this.tryCell(c, c * this.cols + this.definition.doneCol, this.definition.doneCol, undefined);
    }
  }

  // ---- transitions (HSM-SEM-4) -----------------------------------------------------------

  protected transition(source: number, target: number, effect: RawEffect | null, payload: unknown): void {
    const tr = this.tracer;
    const names = this.definition.names;
    if (tr !== null) tr.transitionBegin?.(names[source] as string, names[target] as string);
    if (this.definition.kind[target] === KIND_TERMINATE) {
      // UML 2.5.1 §14.2.3.8.7: terminate runs no exit behaviour; the machine just stops.
      this.statusCode = STATUS_TERMINATED;
      if (tr !== null) tr.transitionEnd?.(names[source] as string, names[target] as string);
      return;
    }
    this.inTransition = true;
    const scope = computeScope(this.definition, source, target);
    this.exitTo(scope);
    if (effect !== null) {
      if (tr !== null) tr.effect?.(names[source] as string, names[target] as string);
      effect(this.ctx, payload);
    }
    this.enterTarget(scope, target, payload);
    if (this.badAction !== 0) this.throwBadAction();
    this.inTransition = false;
    if (tr !== null) tr.transitionEnd?.(names[source] as string, names[target] as string);
  }

  /** Exits from the active leaf up to, not including, `scope`, recording history on the way. */
  protected exitTo(scope: number): void {
    const d = this.definition;
    const leaf = this.active;
    const hook = d.hooks.onExit;
    let x = leaf;
    while (x !== scope) {
      const act = d.exit[x];
      if (act !== null && act !== undefined && act(this.ctx) !== undefined && this.badAction === 0) this.badAction = -x;
      if (hook !== undefined) hook(this.ctx, d.names[x] as string);
      if (this.tracer !== null) this.tracer.exit?.(d.names[x] as string);
      const p = this.parent[x] as number;
      if (d.recordsHistory[p] === 1) {
        this.lastChild[p] = x;
        this.lastLeaf[p] = leaf;
      }
      x = p;
      this.active = p;
    }
  }

  /** An entry (+id) or exit (-id) action returned a value: it tried to transition (HSM-SEM-5). */
  protected throwBadAction(): never {
    const b = this.badAction;
    this.badAction = 0;
    const v = b < 0 ? -b : b;
    throw new HsmActionTransitionError(this.definition.name, this.definition.names[v] as string, b < 0 ? 'exit' : 'entry');
  }

  /** The specialised dispatch's end-of-transition check found offending action `b`. */
  protected badActionAt(b: number): never {
    this.badAction = b;
    this.throwBadAction();
  }

  protected enter(v: number): void {
    const d = this.definition;
    this.active = v;
    const act = d.entry[v];
    if (act !== null && act !== undefined && act(this.ctx) !== undefined && this.badAction === 0) this.badAction = v;
    const hook = d.hooks.onEntry;
    if (hook !== undefined) hook(this.ctx, d.names[v] as string);
    if (this.tracer !== null) this.tracer.entry?.(d.names[v] as string);
  }

  /** Enters the ancestors of t strictly below `scope`, outermost first, then t. */
  protected enterPath(scope: number, t: number): void {
    const d = this.definition;
    const off = d.chainOff[t] as number;
    const to = d.depth[t] as number;
    for (let i = (d.depth[scope] as number) + 1; i <= to; i++) this.enter(d.chain[off + i] as number);
  }

  /** Follows initial pseudostates down from the entered state v; notes completion at a final. */
  protected settle(v: number): void {
    const d = this.definition;
    for (;;) {
      if (d.kind[v] === KIND_FINAL) {
        this.pendingDone = this.parent[v] as number;
        return;
      }
      const it = d.initial[v] as number;
      if (it < 0) return;
      if (this.tracer !== null) this.tracer.initial?.(d.names[v] as string, d.names[it] as string);
      const ie = d.initialEffect[v];
      if (ie !== null && ie !== undefined) ie(this.ctx);
      this.enterPath(v, it);
      v = it;
    }
  }

  /** Enters from `scope` to target t, resolving pseudostates (history, choice, terminate). */
  protected enterTarget(scope: number, t: number, payload: unknown): void {
    const d = this.definition;
    for (;;) {
      const k = d.kind[t];
      if (k === KIND_STATE || k === KIND_FINAL) {
        this.enterPath(scope, t);
        this.settle(t);
        return;
      }
      if (k === KIND_TERMINATE) {
        // UML: terminating runs no further exit or entry behaviour.
        this.statusCode = STATUS_TERMINATED;
        return;
      }
      if (k === KIND_HISTORY) {
        const owner = this.parent[t] as number;
        const rec = d.historyDeep[t] === 1 ? (this.lastLeaf[owner] as number) : (this.lastChild[owner] as number);
        if (rec >= 0) {
          this.enterPath(scope, rec);
          this.settle(rec);
          return;
        }
        const def = d.historyDefault[t] as number;
        t = def >= 0 ? def : owner;
        continue;
      }
      if (k === KIND_CHOICE) {
        this.enterPath(scope, this.parent[t] as number);
        const t2 = this.choose(t, payload);
        scope = this.active;
        while (!this.isAncestorOrSelf(scope, t2)) scope = this.parent[scope] as number;
        this.exitTo(scope);
        t = t2;
        continue;
      }
      throw new HsmError('TP_ERR_HSM_DEFINITION', `machine '${d.name}': vertex ${t} has an unknown kind`);
    }
  }

  /** Evaluates a choice's guards in order; the compiler guarantees a final else branch. */
  protected choose(c: number, payload: unknown): number {
    const d = this.definition;
    const end = d.choiceEnd[c] as number;
    for (let i = d.choiceStart[c] as number; i < end; i++) {
      const g = this.arcGuard[i] as RawGuard | null;
      if (g === null || g(this.ctx, payload)) {
        const ef = this.arcEffect[i] as RawEffect | null;
        if (ef !== null) ef(this.ctx, payload);
        return this.arcTarget[i] as number;
      }
    }
    return this.arcTarget[end - 1] as number;
  }

  protected isAncestorOrSelf(a: number, b: number): boolean {
    const d = this.definition;
    const da = d.depth[a] as number;
    return da <= (d.depth[b] as number) && d.chain[(d.chainOff[b] as number) + da] === a;
  }
}
