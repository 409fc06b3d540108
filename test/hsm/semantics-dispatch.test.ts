/** HSM-SEM-3 (dispatch search and precedence) and HSM-SEM-4 (transition scope and order). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HANDLED, UNHANDLED, defineMachine, payload } from '../../src/hsm/index.js';
import { MODES } from './modes.js';

interface Ctx {
  log: string[];
  allowSpecific: boolean;
}

const on = (name: string) => ({
  entry: (c: Ctx) => void c.log.push(`+${name}`),
  exit: (c: Ctx) => void c.log.push(`-${name}`),
});

/**
 * Running > {Idle, Busy > {Slow, Fast}}, Running > Draining (a child, as in the seed's
 * DriverHsm), and a top-level Stopped.
 */
const Def = defineMachine<Ctx>('Dispatch')
  .events({
    Ping: payload<number>(),
    Toggle: payload(),
    Start: payload(),
    Drain: payload(),
    Reset: payload(),
    Self: payload(),
    SelfLeaf: payload(),
    Stop: payload(),
    Noise: payload(),
    Any1: payload(),
    ToBusy: payload(),
  })
  .states(
    {
      Running: { initial: 'Idle' },
      Idle: { parent: 'Running' },
      Busy: { parent: 'Running', initial: 'Slow' },
      Slow: { parent: 'Busy' },
      Fast: { parent: 'Busy' },
      Draining: { parent: 'Running' },
      Stopped: {},
    },
    { initial: 'Running' },
  )
  .build({
    Running: {
      ...on('Running'),
      on: {
        Ping: (c, n) => {
          c.log.push(`ping(${n})@Running`);
          return HANDLED;
        },
        Drain: 'Draining',
        Reset: 'Running',
        Self: { target: 'Running', effect: (c) => void c.log.push('fx') },
        Stop: { target: 'Stopped', effect: (c) => void c.log.push('fx') },
        ToBusy: 'Busy',
      },
    },
    Idle: { ...on('Idle'), on: { Start: 'Busy' } },
    Busy: {
      ...on('Busy'),
      on: { Any1: (c) => (c.allowSpecific ? (c.log.push('specific'), HANDLED) : UNHANDLED) },
      any: (c, _p, _s, event) => {
        // Logs only the events these tests aim at it; it declines all but Any1.
        if (event === 'Any1' || event === 'Noise') c.log.push(`any(${event})@Busy`);
        return event === 'Any1' ? HANDLED : UNHANDLED;
      },
    },
    Slow: {
      ...on('Slow'),
      on: { Toggle: (_c, _p, s) => s.Fast, SelfLeaf: 'Slow', Ping: (c) => (c.log.push('ping@Slow declines'), UNHANDLED) },
    },
    Fast: { ...on('Fast'), on: { Toggle: 'Slow' } },
    Draining: on('Draining'),
    Stopped: on('Stopped'),
  });

for (const mode of MODES) {
  const fresh = () => {
    const m = Def.create({ log: [], allowSpecific: true }, mode.options).start();
    m.ctx.log.length = 0;
    return m;
  };

  describe(`HSM-SEM-3 dispatch (${mode.name})`, () => {
    test('search goes from the active leaf toward Root; an ancestor handles with no transition', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Ping', 7);
      assert.deepEqual(m.ctx.log, ['ping@Slow declines', 'ping(7)@Running']);
      assert.equal(m.state, 'Slow');
    });

    test("a state's specific handler takes precedence over its catch-all", () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Any1');
      assert.deepEqual(m.ctx.log, ['specific']);
    });

    test('a declining specific handler falls through to the same state’s catch-all', () => {
      const m = fresh();
      m.ctx.allowSpecific = false;
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Any1');
      assert.deepEqual(m.ctx.log, ['any(Any1)@Busy']);
    });

    test('an event nobody handles leaves the configuration unchanged and is counted', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Noise');
      assert.equal(m.state, 'Slow');
      assert.equal(m.unhandledCount, 1);
      assert.deepEqual(m.ctx.log, ['any(Noise)@Busy']);
      m.dispatch('Toggle'); // handled
      assert.equal(m.unhandledCount, 1);
    });

    test('send by integer id is the same as dispatch by name', () => {
      const m = fresh();
      m.send(Def.events.Start);
      m.send(Def.events.Toggle);
      assert.equal(m.state, 'Fast');
      assert.equal(Def.events.Toggle, 1);
      assert.equal(typeof Def.states.Fast, 'number');
      assert.ok(m.isInId(Def.states.Busy));
    });

    test('an unknown event name from JavaScript is a typed error', () => {
      const m = fresh();
      assert.throws(() => (m.dispatch as (e: string) => void)('Nope'), { code: 'TP_ERR_HSM_UNKNOWN_EVENT' });
    });

    test('a function handler returning a non-state is a typed error', () => {
      const Bad = defineMachine<null>('BadOutcome')
        .events({ Go: payload() })
        .states({ A: {} }, { initial: 'A' })
        .build({ A: { on: { Go: () => 99 as never } } });
      const m = Bad.create(null, mode.options).start();
      assert.throws(() => m.dispatch('Go'), { code: 'TP_ERR_HSM_BAD_OUTCOME' });
      for (const r of ['1', 1.5, true]) {
        const B = defineMachine<null>('BadOutcome2')
          .events({ Go: payload() })
          .states({ A: {} }, { initial: 'A' })
          .build({ A: { on: { Go: () => r as never } } });
        const m2 = B.create(null, mode.options).start();
        assert.throws(() => m2.dispatch('Go'), { code: 'TP_ERR_HSM_BAD_OUTCOME' }, `returning ${JSON.stringify(r)}`);
        assert.equal(m2.state, 'A');
      }
    });
  });

  describe(`HSM-SEM-4 transition scope and order (${mode.name})`, () => {
    test('sibling transition exits the leaf and enters the sibling only', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Toggle');
      assert.deepEqual(m.ctx.log, ['-Slow', '+Fast']);
    });

    test('Running → Draining (its child) keeps Running active: no Running exit/entry (seed DriverHsm)', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Drain');
      assert.deepEqual(m.ctx.log, ['-Slow', '-Busy', '+Draining']);
      assert.equal(m.state, 'Draining');
      assert.ok(m.isIn('Running'));
    });

    test('a transition to an ancestor exits down to it, then runs its initial chain', () => {
      const m = fresh();
      m.dispatch('Start');
      m.dispatch('Toggle');
      m.ctx.log.length = 0;
      m.dispatch('Reset'); // handled by Running, target Running (self): external, see below
      assert.deepEqual(m.ctx.log, ['-Fast', '-Busy', '-Running', '+Running', '+Idle']);
    });

    test('a leaf’s transition to its ancestor does not exit the ancestor', () => {
      const Up = defineMachine<string[]>('Up')
        .events({ Up: payload() })
        .states({ P: { initial: 'A' }, A: { parent: 'P' }, B: { parent: 'P', initial: 'B1' }, B1: { parent: 'B' } }, { initial: 'P' })
        .build({
          P: { entry: (l) => void l.push('+P'), exit: (l) => void l.push('-P') },
          A: { entry: (l) => void l.push('+A'), exit: (l) => void l.push('-A') },
          B: { entry: (l) => void l.push('+B'), exit: (l) => void l.push('-B') },
          B1: { entry: (l) => void l.push('+B1'), exit: (l) => void l.push('-B1'), on: { Up: 'P' } },
        });
      const log: string[] = [];
      const m = Up.create(log, mode.options).start();
      m.send(Up.events.Up); // in A: unhandled
      assert.equal(m.unhandledCount, 1);
      const m2 = Up.create([], mode.options).start();
      (m2 as unknown as { active: number }).active = Up.states.B1; // place in B1 (test-only)
      m2.ctx.length = 0;
      m2.dispatch('Up');
      assert.deepEqual(m2.ctx, ['-B1', '-B', '+A']);
    });

    test('self-transition is external: exits and re-enters the handling state; effect between', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('SelfLeaf');
      assert.deepEqual(m.ctx.log, ['-Slow', '+Slow']);
      m.ctx.log.length = 0;
      m.dispatch('Self');
      assert.deepEqual(m.ctx.log, ['-Slow', '-Busy', '-Running', 'fx', '+Running', '+Idle']);
    });

    test('a transition taken by an ancestor exits the full active path below the scope; effect after exits, before entries', () => {
      const m = fresh();
      m.dispatch('Start');
      m.ctx.log.length = 0;
      m.dispatch('Stop');
      assert.deepEqual(m.ctx.log, ['-Slow', '-Busy', '-Running', 'fx', '+Stopped']);
      assert.equal(m.state, 'Stopped');
    });

    test('a transition into an active composite from its ancestor exits and re-enters it (local to the ancestor)', () => {
      const m = fresh();
      m.dispatch('Start');
      m.dispatch('Toggle');
      m.ctx.log.length = 0;
      m.dispatch('ToBusy');
      assert.deepEqual(m.ctx.log, ['-Fast', '-Busy', '+Busy', '+Slow']);
    });
  });
}
