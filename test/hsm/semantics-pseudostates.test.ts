/** HSM-SEM-6 (history), HSM-SEM-7 (choice), HSM-SEM-8 (final, completion, terminate, lifecycle). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HsmLifecycleError, defineMachine, payload } from '../../src/hsm/index.js';
import { MODES } from './modes.js';

interface Ctx {
  log: string[];
  n: number;
}
const logged = (name: string) => ({
  entry: (c: Ctx) => void c.log.push(`+${name}`),
  exit: (c: Ctx) => void c.log.push(`-${name}`),
});

const History = defineMachine<Ctx>('History')
  .events({ Next: payload(), Leave: payload(), BackShallow: payload(), BackDeep: payload(), Inner: payload() })
  .states(
    {
      Work: { initial: 'A' },
      A: { parent: 'Work' },
      B: { parent: 'Work', initial: 'B1' },
      B1: { parent: 'B' },
      B2: { parent: 'B' },
      H: { kind: 'history', parent: 'Work' },
      HD: { kind: 'history', parent: 'Work', deep: true },
      Away: {},
    },
    { initial: 'Work' },
  )
  .build({
    Work: { ...logged('Work'), on: { Leave: 'Away' } },
    A: { ...logged('A'), on: { Next: 'B' } },
    B: logged('B'),
    B1: { ...logged('B1'), on: { Inner: 'B2' } },
    B2: logged('B2'),
    Away: { ...logged('Away'), on: { BackShallow: 'H', BackDeep: 'HD' } },
  });

const Defaults = defineMachine<Ctx>('HistoryDefaults')
  .events({ Enter: payload() })
  .states(
    {
      Out: {},
      P: { initial: 'P1' },
      P1: { parent: 'P' },
      P2: { parent: 'P' },
      HP: { kind: 'history', parent: 'P', default: 'P2' },
      Q: { initial: 'Q1' },
      Q1: { parent: 'Q' },
      HQ: { kind: 'history', parent: 'Q' },
    },
    { initial: 'Out' },
  )
  .build({ Out: { on: { Enter: [{ guard: (c) => c.n === 0, target: 'HP' }, { target: 'HQ' }] } } });

const Choice = defineMachine<Ctx>('Choice')
  .events({ Go: payload<number>() })
  .states(
    { Start: {}, Pick: { kind: 'choice' }, Small: {}, Medium: {}, Large: {} },
    { initial: 'Start' },
  )
  .build({
    Start: { ...logged('Start'), on: { Go: { target: 'Pick', effect: (c) => void c.log.push('fx') } } },
    Pick: {
      branches: [
        { guard: (c, p) => (c.log.push('g1'), (p as number) < 10), target: 'Small' },
        { guard: (c, p) => (c.log.push('g2'), (p as number) < 100), target: 'Medium', effect: (c) => void c.log.push('fx2') },
        { else: 'Large' },
      ],
    },
    Small: logged('Small'),
    Medium: logged('Medium'),
    Large: logged('Large'),
  });

const Final = defineMachine<Ctx>('Final')
  .events({ Finish: payload(), FinishAll: payload(), Kill: payload(), Poke: payload() })
  .states(
    {
      Job: { initial: 'Step' },
      Step: { parent: 'Job' },
      JobDone: { kind: 'final', parent: 'Job' },
      Report: { initial: 'Writing' },
      Writing: { parent: 'Report' },
      ReportDone: { kind: 'final', parent: 'Report' },
      End: { kind: 'final' },
      Kill: { kind: 'terminate' },
    },
    { initial: 'Job' },
  )
  .build({
    Job: { ...logged('Job'), done: { target: 'Report', effect: (c) => void c.log.push('job done') }, on: { Kill: 'Kill' } },
    Step: { ...logged('Step'), on: { Finish: 'JobDone' } },
    Report: { ...logged('Report'), done: 'End', on: { Kill: 'Kill' } },
    Writing: { ...logged('Writing'), on: { FinishAll: 'ReportDone' } },
  });

for (const mode of MODES) {
  const ctx = (): Ctx => ({ log: [], n: 0 });

  describe(`HSM-SEM-6 history (${mode.name})`, () => {
    test('shallow history restores the last active child, then its initial chain', () => {
      const m = History.create(ctx(), mode.options).start();
      m.dispatch('Next');
      m.dispatch('Inner'); // Work/B/B2
      m.dispatch('Leave');
      m.ctx.log.length = 0;
      m.dispatch('BackShallow');
      assert.deepEqual(m.ctx.log, ['-Away', '+Work', '+B', '+B1']);
      assert.equal(m.state, 'B1');
    });

    test('deep history restores the last active leaf', () => {
      const m = History.create(ctx(), mode.options).start();
      m.dispatch('Next');
      m.dispatch('Inner');
      m.dispatch('Leave');
      m.ctx.log.length = 0;
      m.dispatch('BackDeep');
      assert.deepEqual(m.ctx.log, ['-Away', '+Work', '+B', '+B2']);
      assert.equal(m.state, 'B2');
    });

    test('history is recorded per owning composite and updated on each exit', () => {
      const m = History.create(ctx(), mode.options).start();
      m.dispatch('Leave'); // recorded: A
      m.dispatch('BackDeep');
      assert.equal(m.state, 'A');
      m.dispatch('Next');
      m.dispatch('Leave'); // recorded: B/B1
      m.dispatch('BackShallow');
      assert.equal(m.state, 'B1');
    });

    test('with no history yet: the default target if given, else the owner’s initial', () => {
      const m = Defaults.create(ctx(), mode.options).start();
      m.dispatch('Enter');
      assert.equal(m.state, 'P2');
      const m2 = Defaults.create({ log: [], n: 1 }, mode.options).start();
      m2.dispatch('Enter');
      assert.equal(m2.state, 'Q1');
    });
  });

  describe(`HSM-SEM-7 choice (${mode.name})`, () => {
    test('guards are evaluated in order after exits and effect; first enabled wins', () => {
      const m = Choice.create(ctx(), mode.options).start();
      m.ctx.log.length = 0;
      m.dispatch('Go', 50);
      assert.deepEqual(m.ctx.log, ['-Start', 'fx', 'g1', 'g2', 'fx2', '+Medium']);
    });
    test('first branch', () => {
      const m = Choice.create(ctx(), mode.options).start();
      m.dispatch('Go', 1);
      assert.equal(m.state, 'Small');
    });
    test('else edge when no guard holds', () => {
      const m = Choice.create(ctx(), mode.options).start();
      m.dispatch('Go', 1000);
      assert.equal(m.state, 'Large');
    });
  });

  describe(`HSM-SEM-8 final states, completion, terminate (${mode.name})`, () => {
    test('entering a final state completes its parent; the completion transition runs before the next event', () => {
      const m = Final.create(ctx(), mode.options).start();
      m.ctx.log.length = 0;
      m.dispatch('Finish');
      assert.deepEqual(m.ctx.log, ['-Step', '-Job', 'job done', '+Report', '+Writing']);
      assert.equal(m.state, 'Writing');
      assert.equal(m.status, 'running');
    });

    test('a final state of Root completes the machine; dispatch afterwards is a typed error', () => {
      const m = Final.create(ctx(), mode.options).start();
      m.dispatch('Finish');
      m.dispatch('FinishAll');
      assert.equal(m.state, 'End');
      assert.equal(m.status, 'complete');
      assert.throws(
        () => m.dispatch('Poke'),
        (e: unknown) => e instanceof HsmLifecycleError && e.code === 'TP_ERR_HSM_COMPLETED',
      );
    });

    test('terminate stops the machine at once, running no exits; dispatch afterwards is a typed error', () => {
      const m = Final.create(ctx(), mode.options).start();
      m.ctx.log.length = 0;
      m.dispatch('Kill');
      assert.deepEqual(m.ctx.log, []);
      assert.equal(m.status, 'terminated');
      assert.throws(() => m.dispatch('Poke'), { code: 'TP_ERR_HSM_TERMINATED' });
    });

    test('dispatch before start is a typed error', () => {
      const m = Final.create(ctx(), mode.options);
      assert.throws(() => m.dispatch('Poke'), { code: 'TP_ERR_HSM_NOT_STARTED' });
    });
  });
}
