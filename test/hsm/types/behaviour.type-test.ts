/**
 * HSM-SEM-11 type tests: the behaviour object of build(). Its keys are the declared states and
 * choices, choices must say where they lead, and handlers are typed by the machine's context.
 * Type-checked by `tsc -p tsconfig.json` (part of `npm test`); never run: each
 * `// @ts-expect-error` must see an error on the next line or tsc fails the build.
 */
import { HANDLED, defineMachine, payload } from '../../../src/hsm/index.js';

interface Ctx {
  count: number;
  readonly log: string[];
}

function step() {
  return defineMachine<Ctx>('Behaviour')
    .events({ Go: payload(), Add: payload<number>() })
    .states(
      {
        A: { initial: 'A1' },
        A1: { parent: 'A' },
        ADone: { kind: 'final', parent: 'A' },
        AH: { kind: 'history', parent: 'A' },
        Pick: { kind: 'choice' },
        B: {},
      },
      { initial: 'A' },
    );
}

const pick = { branches: [{ guard: (c: Ctx) => c.count > 0, target: 'A1' }, { else: 'B' }] } as const;

export function keyChecks(): void {
  // Proves the positive case: states, the choice and Root's handlers are accepted.
  step().build({
    A: { entry: (c) => void c.log.push('A'), done: 'B' },
    A1: { on: { Go: 'ADone', Add: { effect: (c, n) => void (c.count += n) } } },
    Pick: pick,
    Root: { on: { Go: 'AH' } },
  });

  step().build({
    Pick: pick,
    // @ts-expect-error — proves behaviour for an undeclared state is rejected.
    C: { on: { Go: 'B' } },
  });

  step().build({
    Pick: pick,
    // @ts-expect-error — proves a final state takes no behaviour (it has no actions or handlers).
    ADone: { entry: (c) => void c.count++ },
  });

  step().build({
    Pick: pick,
    // @ts-expect-error — proves a history pseudostate takes no behaviour.
    AH: { on: { Go: 'B' } },
  });

  step().build({
    Pick: pick,
    // @ts-expect-error — proves Root takes only `on`/`any`: it is never entered, so no entry action.
    Root: { entry: (c) => void c.count++ },
  });
}

export function choiceChecks(): void {
  // @ts-expect-error — proves a declared choice must be given behaviour (it is a required key).
  step().build({ A1: { on: { Go: 'B' } } });

  step().build({
    // @ts-expect-error — proves a choice vertex without `branches` is a compile error.
    Pick: {},
  });

  step().build({
    Pick: {
      // @ts-expect-error — proves a choice must end with an `else` branch, so it always resolves.
      branches: [{ guard: (c) => c.count > 0, target: 'A1' }],
    },
  });
}

export function contextChecks(): void {
  step().build({
    A1: {
      on: {
        Go: (c) => {
          // @ts-expect-error — proves handlers see the context type: a field typo is rejected.
          c.notAField++;
          return HANDLED;
        },
        // @ts-expect-error — proves effects see the context type too: `count` is a number, not a string.
        Add: { effect: (c, n) => void (c.count = `${n}`) },
      },
    },
    Pick: pick,
  });

  // Entry/exit actions are typed `(ctx) => void`. TypeScript lets a function that returns a value
  // be assigned to a void-returning function type, so the following compiles even though the
  // action returns a number (Array#push) — as it would if someone tried to return a state from
  // it. There is no `@ts-expect-error` to write here: this gap is why the engine checks at run
  // time that entry/exit actions return undefined (HSM-SEM-5, TP_ERR_HSM_TRANSITION_IN_ACTION).
  step().build({
    A: { entry: (c) => c.log.push('entered A'), exit: (c) => c.count },
    Pick: pick,
  });
}

export function structureChecks(): void {
  defineMachine<Ctx>('Duplicates')
    .events({ Go: payload() })
    .states(
      {
        A: {},
        B: { parent: 'A' },
        // @ts-expect-error — proves a duplicate state key is a compile error (TS1117), not a silent overwrite.
        B: {},
      },
      { initial: 'A' },
    );
}
