/**
 * HSM-SEM-11 type tests: state names. Every place a definition or a caller names a state is
 * checked against the declared structure, so a typo is a compile error, not a run-time
 * HsmDefinitionError. Type-checked by `tsc -p tsconfig.json` (part of `npm test`); never run:
 * each `// @ts-expect-error` must see an error on the next line or tsc fails the build.
 */
import { HANDLED, UNHANDLED, defineMachine, payload, type Ref } from '../../../src/hsm/index.js';

interface Ctx {
  count: number;
}

const events = { Go: payload(), Back: payload() };

/** Structure shared by the behaviour cases: a composite with history, a choice, a leaf. */
const structure = {
  A: { initial: 'A1' },
  A1: { parent: 'A' },
  A2: { parent: 'A' },
  AH: { kind: 'history', parent: 'A', default: 'A2' },
  Pick: { kind: 'choice' },
  B: {},
} as const;

export function structureChecks(): void {
  // Proves the positive case: parent, initial, Root's initial and history default all name declared states.
  defineMachine<Ctx>('Ok').events(events).states(structure, { initial: 'A' });

  defineMachine<Ctx>('ParentTypo')
    .events(events)
    .states(
      {
        A: { initial: 'A1' },
        // @ts-expect-error — proves a typo in `parent` is rejected.
        A1: { parent: 'Aa' },
      },
      { initial: 'A' },
    );

  defineMachine<Ctx>('InitialTypo')
    .events(events)
    .states(
      {
        // @ts-expect-error — proves a typo in a composite's `initial` is rejected.
        A: { initial: 'A11' },
        A1: { parent: 'A' },
      },
      { initial: 'A' },
    );

  defineMachine<Ctx>('RootInitialTypo')
    .events(events)
    // @ts-expect-error — proves a typo in Root's `initial` (the second argument of states()) is rejected.
    .states({ A: {}, B: {} }, { initial: 'C' });

  defineMachine<Ctx>('HistoryDefaultTypo')
    .events(events)
    .states(
      {
        A: { initial: 'A1' },
        A1: { parent: 'A' },
        // @ts-expect-error — proves a typo in a history pseudostate's `default` is rejected.
        AH: { kind: 'history', parent: 'A', default: 'A3' },
      },
      { initial: 'A' },
    );
}

export function behaviourChecks(): void {
  const step = defineMachine<Ctx>('Targets').events(events).states(structure, { initial: 'A' });
  const pick = { branches: [{ guard: (c: Ctx) => c.count > 0, target: 'A2' }, { else: 'B' }] } as const;

  // Proves the positive case: string, { target } and function targets naming declared vertices compile.
  const Def = step.build({
    A1: { on: { Go: 'A2', Back: { target: 'AH', guard: (c) => c.count > 1 } } },
    A2: { on: { Go: (c, _p, s) => (c.count > 3 ? s.Pick : c.count > 2 ? HANDLED : UNHANDLED) } },
    B: { on: { Back: 'AH' } },
    Pick: pick,
  });

  step.build({
    // @ts-expect-error — proves a typo in a string transition target is rejected.
    A1: { on: { Go: 'A3' } },
    Pick: pick,
  });

  step.build({
    A1: {
      on: {
        // @ts-expect-error — proves a typo in a declarative `{ target }` is rejected.
        Go: { target: 'A3', guard: (c) => c.count > 0 },
      },
    },
    Pick: pick,
  });

  step.build({
    Pick: {
      // @ts-expect-error — proves a typo in a choice branch's `target` is rejected (reported on the tuple).
      branches: [
        { guard: (c) => c.count > 0, target: 'A3' },
        { else: 'B' },
      ],
    },
  });

  step.build({
    Pick: {
      // @ts-expect-error — proves a typo in a choice's `else` target is rejected (reported on the tuple).
      branches: [
        { guard: (c) => c.count > 0, target: 'A2' },
        { else: 'Bb' },
      ],
    },
  });

  step.build({
    A1: {
      on: {
        Go: (c, _p, s) => {
          c.count++;
          // @ts-expect-error — proves a function handler cannot return a reference to an undeclared state.
          return s.A3;
        },
      },
    },
    Pick: pick,
  });

  step.build({
    A1: {
      on: {
        // @ts-expect-error — proves a function handler cannot return a bare number (state ids are branded).
        Go: () => 2,
      },
    },
    Pick: pick,
  });

  const m = Def.create({ count: 0 }).start();

  // Proves isIn accepts declared vertex names.
  const inA: boolean = m.isIn('A') && m.isIn('A2');
  // @ts-expect-error — proves isIn rejects a name that is not a declared state.
  m.isIn('Typo');

  // Proves `state` is exactly the union of declared vertex names (assignable both ways).
  type Declared = keyof typeof structure;
  const current: Declared = m.state;
  const back: typeof m.state = current;
  // @ts-expect-error — proves `state` is not widened to string: a non-member is not assignable to it.
  const wrong: typeof m.state = 'Typo';

  // Proves the refs table is typed per state: Def.states.A2 is a Ref<'A2', Declared>, not a Ref<'A1', Declared>.
  const a2: Ref<'A2', Declared> = Def.states.A2;
  // @ts-expect-error — proves a state reference is branded with its own name.
  const a1: Ref<'A1', Declared> = Def.states.A2;

  void [inA, back, wrong, a2, a1];
}

export function crossMachineRefs(): void {
  const Other = defineMachine<Ctx>('Other').events(events).states({ Pad: {}, B: {} }, { initial: 'Pad' }).build({});
  const Mine = defineMachine<Ctx>('Mine').events(events).states({ B: {}, C: {} }, { initial: 'B' });

  Mine.build({
    // @ts-expect-error — proves a handler cannot return a state of another machine whose name this machine lacks.
    B: { on: { Go: () => Other.states.Pad } },
  });

  // @ts-expect-error — proves a same-named state of another machine is rejected: ids are per machine.
  Mine.build({ C: { on: { Go: () => Other.states.B } } });
}
