/** HSM-SEM-1 (structure and definition-time validation) and HSM-SEM-2 (initial pseudostates). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HsmDefinitionError, defineMachine, payload } from '../../src/hsm/index.js';
import { MODES } from './modes.js';

type Log = string[];

/** Builds a definition from untyped parts, as a JavaScript caller could, to reach run-time checks. */
function build(structure: unknown, initial: unknown, behaviour: unknown = {}, events: Record<string, unknown> = { Go: payload() }) {
  return defineMachine<Log>('Bad')
    .events(events as never)
    .states(structure as never, { initial } as never)
    .build(behaviour as never);
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HsmDefinitionError, `expected HsmDefinitionError, got ${String(err)}`);
    assert.equal(err.code, 'TP_ERR_HSM_DEFINITION');
    assert.match(err.message, pattern);
    return true;
  });
}

describe('HSM-SEM-1 definition-time validation names the offender', () => {
  test('unknown parent', () => rejects(() => build({ A: {}, B: { parent: 'Nope' } }, 'A'), /parent of 'B' names unknown state 'Nope'/));
  test('unknown transition target', () =>
    rejects(() => build({ A: {} }, 'A', { A: { on: { Go: 'Nowhere' } } }), /on 'Go' in 'A' names unknown state 'Nowhere'/));
  test('missing initial on Root', () => rejects(() => build({ A: {} }, undefined), /Root has no initial state/));
  test('initial that targets a non-descendant', () =>
    rejects(() => build({ A: { initial: 'B' }, A1: { parent: 'A' }, B: {} }, 'A'), /initial of 'A' targets 'B', which is not a descendant of 'A'/));
  test('initial that targets itself', () => rejects(() => build({ A: { initial: 'A' }, A1: { parent: 'A' } }, 'A'), /not a descendant/));
  test('duplicate state: the reserved name Root cannot be declared again', () =>
    rejects(() => build({ Root: {} }, 'Root'), /'Root' is a reserved name/));
  test('parent cycle', () => rejects(() => build({ A: { parent: 'B' }, B: { parent: 'A' } }, 'A'), /own ancestor|not a descendant|parent/));
  test('pseudostate as parent', () =>
    rejects(() => build({ A: {}, F: { kind: 'final' }, X: { parent: 'F' } }, 'A'), /only states can contain others/));
  test('behaviour for an unknown state', () => rejects(() => build({ A: {} }, 'A', { Z: {} }), /behaviour given for unknown state 'Z'/));
  test('handler for an undeclared event', () =>
    rejects(() => build({ A: {} }, 'A', { A: { on: { Nope: 'A' } } }), /'A' handles undeclared event 'Nope'/));
  test('choice without else', () =>
    rejects(
      () => build({ A: {}, C: { kind: 'choice' } }, 'A', { C: { branches: [{ guard: () => true, target: 'A' }] } }),
      /choice 'C' has no else branch/,
    ));
  test('else not last', () =>
    rejects(
      () => build({ A: {}, C: { kind: 'choice' } }, 'A', { C: { branches: [{ else: 'A' }, { guard: () => true, target: 'A' }] } }),
      /else branch must be the last/,
    ));
  test('two shallow histories in one state', () =>
    rejects(
      () => build({ A: { initial: 'A1' }, A1: { parent: 'A' }, H1: { kind: 'history', parent: 'A' }, H2: { kind: 'history', parent: 'A' } }, 'A'),
      /more than one shallow history/,
    ));
  test('history default outside its owner', () =>
    rejects(
      () => build({ A: { initial: 'A1' }, A1: { parent: 'A' }, B: {}, H: { kind: 'history', parent: 'A', default: 'B' } }, 'A'),
      /default of history 'H' targets 'B'/,
    ));
  test('a cycle through choice pseudostates alone (it would never return)', () =>
    rejects(() => build({ A: {}, C: { kind: 'choice' } }, 'A', { A: { on: { Go: 'C' } }, C: { branches: [{ else: 'C' }] } }), /cycle that never enters a state: 'C' → 'C'/));
  test('a cycle through a history default and a choice', () =>
    rejects(
      () =>
        build({ O: { initial: 'O1' }, O1: { parent: 'O' }, H: { kind: 'history', parent: 'O', default: 'C' }, C: { kind: 'choice', parent: 'O' } }, 'O', {
          C: { branches: [{ guard: () => false, target: 'O1' }, { else: 'H' }] },
        }),
      /cycle that never enters a state: 'H' → 'C' → 'H'/,
    ));
  test('done handlers without a final child', () =>
    rejects(() => build({ A: {} }, 'A', { A: { done: 'A' } }), /no final child state/));
  test('non-function action', () => rejects(() => build({ A: {} }, 'A', { A: { entry: 42 } }), /entry action of 'A' must be a function/));
});

describe('HSM-SEM-1/2 states at any depth; start enters the initial path outer → inner', () => {
  for (const mode of MODES) {
    test(`${mode.name}: nested initials followed down to a leaf, entry actions in order`, () => {
      const log: Log = [];
      const entry = (name: string) => (l: Log) => void l.push(`+${name}`);
      const D = defineMachine<Log>('Deep')
        .events({ Go: payload() })
        .states(
          {
            A: { initial: 'B' },
            B: { parent: 'A', initial: 'D' },
            C: { parent: 'B' },
            D: { parent: 'B', initial: 'E' },
            E: { parent: 'D' },
          },
          { initial: 'A' },
        )
        .build({
          A: { entry: entry('A') },
          B: { entry: entry('B'), initialEffect: (l) => void l.push('init(B)') },
          D: { entry: entry('D') },
          E: { entry: entry('E') },
        });
      const m = D.create(log, mode.options);
      assert.equal(m.status, 'new');
      m.start();
      assert.deepEqual(log, ['+A', '+B', 'init(B)', '+D', '+E']);
      assert.equal(m.state, 'E');
      assert.equal(m.status, 'running');
      assert.ok(m.isIn('A') && m.isIn('B') && m.isIn('D') && m.isIn('E'));
      assert.ok(!m.isIn('C'));
    });

    test(`${mode.name}: an initial may target a deeper descendant, entering the states between`, () => {
      const log: Log = [];
      const D = defineMachine<Log>('Skip')
        .events({ Go: payload() })
        .states({ A: { initial: 'C' }, B: { parent: 'A', initial: 'C' }, C: { parent: 'B' } }, { initial: 'A' })
        .build({ A: { entry: (l) => void l.push('+A') }, B: { entry: (l) => void l.push('+B') }, C: { entry: (l) => void l.push('+C') } });
      D.create(log, mode.options).start();
      assert.deepEqual(log, ['+A', '+B', '+C']);
    });
  }

  for (const mode of MODES) {
    test(`${mode.name}: a composite without an initial rests at itself until a child is entered (seed's Running)`, () => {
      const D = defineMachine<Log>('Rest')
        .events({ Drain: payload(), Tick: payload() })
        .states({ Running: {}, Draining: { parent: 'Running' } }, { initial: 'Running' })
        .build({
          Running: { on: { Drain: 'Draining', Tick: (l) => (l.push('tick@Running'), -1 as never) } },
          Draining: { entry: (l) => void l.push('+Draining') },
        });
      const m = D.create([], mode.options).start();
      assert.equal(m.state, 'Running');
      m.dispatch('Tick');
      m.dispatch('Drain');
      m.dispatch('Tick'); // Running's handler is shared by its child
      assert.deepEqual(m.ctx, ['tick@Running', '+Draining', 'tick@Running']);
      assert.equal(m.state, 'Draining');
    });
  }

  test('start twice is an error', () => {
    const D = build({ A: {} }, 'A');
    const m = D.create([] as never).start();
    assert.throws(() => m.start(), { code: 'TP_ERR_HSM_ALREADY_STARTED' });
  });
});
