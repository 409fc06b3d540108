/**
 * Specialises a definition's dispatch into JavaScript (HSM-PERF-1): a subclass of
 * MachineRuntime whose `step` switches on the active state and event to one small method per
 * (resting state, event) reaction, in which each handler is called through its own call site
 * and each static transition's exits and entries are unrolled. Every call site then sees one
 * target, so the optimiser can inline handlers as it does in hand-written code. Semantics are
 * those of the interpreter in machine-runtime.ts, which remains the reference: it runs machines
 * with a tracer (so this class never checks for one), with `compile: false`, and the generated
 * code calls into it for pseudostate targets, function-handler transitions and completions. A
 * differential test runs both on random machines and compares every observable step.
 */
import { ROOT, computeScope, type CompiledDefinition } from './compile-definition.js';
import { MachineRuntime, STATUS_RUNNING } from './machine-runtime.js';
import { HANDLED, UNHANDLED } from './outcome.js';
import { KIND_FINAL, KIND_STATE } from './vertex-kind.js';

/** Above this many generated lines the interpreter is used: code size would outweigh the gain. */
const MAX_LINES = 40_000;

export type RuntimeClass = typeof MachineRuntime;

/**
 * Drops a `this.active = X;` that is immediately overwritten by the next line: no user code
 * runs between the two stores, so nothing can observe the first.
 */
function peephole(out: string[], start: number): void {
  for (let i = out.length - 2; i >= start; i--) {
    const a = out[i] as string;
    if (a.startsWith('this.active = ') && (out[i + 1] as string).startsWith('this.active = ')) out.splice(i, 1);
  }
}

export function compileDispatch(d: CompiledDefinition): RuntimeClass | null {
  const lines: string[] = [];
  const str = JSON.stringify;
  const { kind, parent, initial, nEvents, cols, cellStart, arcFn, arcGuard, arcEffect, arcTarget } = d;
  const hooks = d.hooks;

  // States that can be active between steps: any state or final without an initial (a
  // composite without one rests at itself, as the seed's Running does).
  const canRest = (v: number): boolean => v !== ROOT && (kind[v] === KIND_STATE || kind[v] === KIND_FINAL) && (initial[v] as number) < 0;

  const emitEnter = (v: number, out: string[]): void => {
    out.push(`this.active = ${v};`);
    if (d.entry[v] !== null) out.push(`if (N${v}(ctx) !== undefined && bad === 0) bad = ${v};`);
    if (hooks.onEntry !== undefined) out.push(`HN(ctx, ${str(d.names[v])});`);
  };
  const emitPath = (scope: number, t: number, out: string[]): void => {
    const off = d.chainOff[t] as number;
    for (let i = (d.depth[scope] as number) + 1; i <= (d.depth[t] as number); i++) emitEnter(d.chain[off + i] as number, out);
  };

  /** Unrolled transition from active leaf L, handled in state s, to plain state or final t. */
  const emitInline = (L: number, s: number, t: number, effect: number, out: string[]): void => {
    const start = out.length;
    const scope = computeScope(d, s, t);
    out.push('this.inTransition = true;', 'bad = 0;');
    for (let x = L; x !== scope; x = parent[x] as number) {
      if (d.exit[x] !== null) out.push(`if (X${x}(ctx) !== undefined && bad === 0) bad = -${x};`);
      if (hooks.onExit !== undefined) out.push(`HX(ctx, ${str(d.names[x])});`);
      const p = parent[x] as number;
      if (d.recordsHistory[p] === 1) out.push(`this.lastChild[${p}] = ${x}; this.lastLeaf[${p}] = ${L};`);
      out.push(`this.active = ${p};`);
    }
    if (effect >= 0) out.push(`E${effect}(ctx, p);`);
    emitPath(scope, t, out);
    let v = t;
    for (;;) {
      if (kind[v] === KIND_FINAL) {
        out.push(`this.pendingDone = ${parent[v]};`, 'if (bad !== 0) this.badActionAt(bad);', 'this.inTransition = false;', 'this.completions();');
        peephole(out, start);
        return;
      }
      const it = initial[v] as number;
      if (it < 0) break;
      if (d.initialEffect[v] !== null) out.push(`IE${v}(ctx);`);
      emitPath(v, it, out);
      v = it;
    }
    out.push('if (bad !== 0) this.badActionAt(bad);', 'this.inTransition = false;');
    peephole(out, start);
  };

  const used = { F: new Set<number>(), G: new Set<number>(), E: new Set<number>() };
  const emitArc = (L: number, s: number, e: number, i: number, out: string[]): void => {
    if (arcFn[i] !== null) {
      used.F.add(i);
      out.push(`r = F${i}(ctx, p, refs, ${str(d.eventNames[e])});`);
      out.push(`if (r !== ${UNHANDLED}) { if (r !== ${HANDLED}) this.outcomeTransition(${s}, ${e}, r, p); return; }`);
      return;
    }
    const body: string[] = [];
    const t = arcTarget[i] as number;
    const hasEffect = arcEffect[i] !== null;
    if (hasEffect) used.E.add(i);
    if (t < 0) {
      if (hasEffect) body.push(`E${i}(ctx, p);`);
    } else if (kind[t] === KIND_STATE || kind[t] === KIND_FINAL) {
      emitInline(L, s, t, hasEffect ? i : -1, body);
    } else {
      body.push(`this.transition(${s}, ${t}, ${hasEffect ? `E${i}` : 'null'}, p);`);
      body.push('if (this.pendingDone >= 0) this.completions();');
    }
    body.push('return;');
    if (arcGuard[i] !== null) {
      used.G.add(i);
      out.push(`if (G${i}(ctx, p)) {`, ...body.map((b) => `  ${b}`), '}');
    } else {
      out.push(...body);
    }
  };

  const leafMethods: string[] = [];
  for (let L = 0; L < d.n; L++) {
    if (!canRest(L)) continue;
    const cases: string[] = [];
    for (let e = 0; e < nEvents; e++) {
      const body: string[] = [];
      for (let s = d.firstHandler[L * nEvents + e] as number; s >= 0; ) {
        for (const cell of [s * cols + e, s * cols + nEvents]) {
          for (let i = cellStart[cell] as number; i < (cellStart[cell + 1] as number); i++) emitArc(L, s, e, i, body);
        }
        s = s === ROOT ? -1 : (d.firstHandler[(parent[s] as number) * nEvents + e] as number);
      }
      if (body.length === 0) continue;
      // One method per (resting state, event): V8 inlines from the caller down until a
      // cumulative budget runs out, and whatever it does not inline it compiles on its own —
      // so a small method per reaction keeps every reaction's actions inlined somewhere, however
      // many reactions a machine has or which of them are hot. (One step() with every case lost
      // the later cases' actions to real calls.)
      cases.push(`case ${e}: return this.r${L}_${e}(p); // ${str(d.eventNames[e])}`);
      leafMethods.push(
        `  r${L}_${e}(p) { // ${str(d.names[L])} × ${str(d.eventNames[e])}`,
        '    const ctx = this.ctx;',
        ...(body.some((b) => b.includes('r = F')) ? ['    const refs = this.refs;', '    let r = 0;'] : []),
        ...(body.some((b) => b.includes('bad = 0;')) ? ['    let bad = 0; // first action that returned a value: +entry / -exit state id'] : []),
        ...body.map((b) => `    ${b}`),
        `    this.unhandledEvent(${e}, p);`,
        '  }',
      );
    }
    if (cases.length > 0) {
      lines.push(`case ${L}: // ${str(d.names[L])}`, '  switch (e) {', ...cases.map((c) => `    ${c}`), '  }', '  break;');
    }
    if (lines.length + leafMethods.length > MAX_LINES) return null;
  }

  const prelude: string[] = [];
  for (const i of used.F) prelude.push(`const F${i} = F[${i}];`);
  for (const i of used.G) prelude.push(`const G${i} = G[${i}];`);
  for (const i of used.E) prelude.push(`const E${i} = E[${i}];`);
  for (let v = 0; v < d.n; v++) {
    if (d.entry[v] !== null) prelude.push(`const N${v} = N[${v}];`);
    if (d.exit[v] !== null) prelude.push(`const X${v} = X[${v}];`);
    if (d.initialEffect[v] !== null) prelude.push(`const IE${v} = IE[${v}];`);
  }
  prelude.push('const HN = H.onEntry, HX = H.onExit;');
  const className = d.name.replace(/[^A-Za-z0-9_$]/g, '_').replace(/^(?=\d)/, '_') || 'Machine';
  const source = [
    '"use strict";',
    ...prelude,
    `return class ${className}Machine extends Base {`,
    '  send(e, p) {',
    `    if (this.statusCode !== ${STATUS_RUNNING} || this.busy) this.rejectSend(e);`,
    '    this.busy = true;',
    '    try {',
    '      this.step(e, p);',
    '      if (this.qLen !== 0) this.drain();',
    '    } catch (err) {',
    '      this.fail();',
    '      throw err;',
    '    }',
    '    this.busy = false;',
    '  }',
    '  step(e, p) {',
    '    switch (this.active) {',
    ...lines.map((l) => `      ${l}`),
    '    }',
    '    this.unhandledEvent(e, p);',
    '  }',
    ...leafMethods,
    '};',
  ].join('\n');
  // The definition's own functions are passed in; no user text is ever spliced into the source
  // (names appear only JSON-quoted, the class name only after sanitising).
  const factory = new Function('Base', 'F', 'G', 'E', 'X', 'N', 'IE', 'H', source) as (
    ...args: unknown[]
  ) => RuntimeClass;
  return factory(MachineRuntime, arcFn, arcGuard, arcEffect, d.exit, d.entry, d.initialEffect, hooks);
}
