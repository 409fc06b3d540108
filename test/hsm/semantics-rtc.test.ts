/**
 * HSM-SEM-5 (run-to-completion, post queue), HSM-SEM-9 (generic entry/exit hooks),
 * HSM-SEM-10 (tracing) and HSM-ERR-1 (a throw mid-transition faults the machine).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HANDLED,
  HsmActionTransitionError,
  HsmQueueFullError,
  HsmReentrancyError,
  defineMachine,
  payload,
  type Machine,
  type Tracer,
} from '../../src/hsm/index.js';
import { MODES } from './modes.js';

interface Ctx {
  log: string[];
  self?: Machine<Ctx, Events, 'Idle' | 'Busy' | 'Done'>;
  expired: number[];
}
type Events = { Tick: number; Expire: number; Reenter: void; Work: void; Boom: void; Flood: number; BadEntry: void };

const Def = defineMachine<Ctx>('Rtc')
  .events({
    Tick: payload<number>(),
    Expire: payload<number>(),
    Reenter: payload(),
    Work: payload(),
    Boom: payload(),
    Flood: payload<number>(),
    BadEntry: payload(),
  })
  .states({ Idle: {}, Busy: {}, Done: {} }, { initial: 'Idle' })
  .build(
    {
      Idle: {
        on: {
          // A Tick discovering expired leases posts one Expire per lease (the driver's use).
          Tick: (c, now) => {
            c.log.push(`tick(${now})`);
            for (const id of c.expired) c.self?.post(Def.events.Expire, id);
            c.log.push('tick end');
            return HANDLED;
          },
          Expire: (c, id) => {
            c.log.push(`expire(${id})`);
            return HANDLED;
          },
          Reenter: (c) => {
            c.self?.dispatch('Work');
            return HANDLED;
          },
          Flood: (c, k) => {
            for (let i = 0; i < k; i++) c.self?.post(Def.events.Work);
            return HANDLED;
          },
          Work: (c) => (c.log.push('work'), HANDLED),
          Boom: 'Busy',
          BadEntry: 'Done',
        },
      },
      Busy: {
        entry: () => {
          throw new Error('entry failed');
        },
      },
      Done: { entry: ((c: Ctx) => (c.log.push('+Done'), 3)) as unknown as (c: Ctx) => void },
    },
    {
      onEntry: (c, s) => void c.log.push(`enter ${s}`),
      onExit: (c, s) => void c.log.push(`exit ${s}`),
    },
  );

for (const mode of MODES) {
  const make = (expired: number[] = [], capacity?: number) => {
    const ctx: Ctx = { log: [], expired };
    const m = Def.create(ctx, capacity === undefined ? mode.options : { ...mode.options, queueCapacity: capacity });
    ctx.self = m;
    m.start();
    ctx.log.length = 0;
    return m;
  };

  describe(`HSM-SEM-5 run-to-completion (${mode.name})`, () => {
    test('dispatch from inside a handler is a typed error and the machine stays usable', () => {
      const m = make();
      assert.throws(() => m.dispatch('Reenter'), (e: unknown) => e instanceof HsmReentrancyError && e.code === 'TP_ERR_HSM_REENTRANT_DISPATCH');
      assert.equal(m.status, 'running');
      m.dispatch('Work');
      assert.deepEqual(m.ctx.log, ['work']);
    });

    test('post() queues events that run after the current step, in order', () => {
      const m = make([7, 9]);
      m.dispatch('Tick', 100);
      assert.deepEqual(m.ctx.log, ['tick(100)', 'tick end', 'expire(7)', 'expire(9)']);
    });

    test('post() outside a step sends at once', () => {
      const m = make();
      m.post(Def.events.Work);
      m.postName('Work');
      assert.deepEqual(m.ctx.log, ['work', 'work']);
    });

    test('the post queue is bounded: overflow is a typed error, queued events are dropped and counted', () => {
      const m = make([], 4);
      m.dispatch('Flood', 4);
      assert.equal(m.ctx.log.filter((l) => l === 'work').length, 4);
      m.ctx.log.length = 0;
      assert.throws(() => m.dispatch('Flood', 5), (e: unknown) => e instanceof HsmQueueFullError && e.code === 'TP_ERR_HSM_QUEUE_FULL');
      assert.equal(m.droppedCount, 4);
      assert.deepEqual(m.ctx.log, []);
      assert.equal(m.status, 'running'); // the throw came before any state change
    });

    test('an entry action that returns a value (tries to transition) is a typed error; the machine is faulted', () => {
      const m = make();
      assert.throws(() => m.dispatch('BadEntry'), (e: unknown) => e instanceof HsmActionTransitionError && /'Done'/.test(e.message));
      assert.equal(m.status, 'faulted');
    });
  });

  describe(`HSM-ERR-1 a throw during a transition faults the machine (${mode.name})`, () => {
    test('the error propagates; later dispatches are refused with TP_ERR_HSM_FAULTED', () => {
      const m = make();
      assert.throws(() => m.dispatch('Boom'), /entry failed/);
      assert.equal(m.status, 'faulted');
      assert.throws(() => m.dispatch('Work'), { code: 'TP_ERR_HSM_FAULTED' });
    });
  });

  describe(`HSM-SEM-9 generic entry/exit hooks (${mode.name})`, () => {
    test('hooks see every entry and exit with the state name, after the state’s own action', () => {
      const ctx: Ctx = { log: [], expired: [] };
      const m = Def.create(ctx, mode.options).start();
      assert.deepEqual(ctx.log, ['enter Idle']);
      ctx.log.length = 0;
      assert.throws(() => m.dispatch('BadEntry'));
      // The offending entry action's error is raised once the transition's actions have run.
      assert.deepEqual(ctx.log, ['exit Idle', '+Done', 'enter Done']);
    });
  });
}

describe('HSM-SEM-10 tracing hooks', () => {
  const Traced = defineMachine<string[]>('Traced')
    .events({ Go: payload(), Nope: payload() })
    .states({ P: { initial: 'A' }, A: { parent: 'P' }, B: { parent: 'P', initial: 'B1' }, B1: { parent: 'B' } }, { initial: 'P' })
    .build({ A: { on: { Go: { target: 'B', effect: (l) => void l.push('effect') } } } });

  test('a tracer sees dispatch, attempts, transition begin/effect/end, exits, entries and initials in order', () => {
    const log: string[] = [];
    const tracer: Tracer<'P' | 'A' | 'B' | 'B1', 'Go' | 'Nope'> = {
      dispatchStart: (e, s) => void log.push(`dispatch ${e} in ${s}`),
      attempt: (e, s) => void log.push(`attempt ${e} at ${s}`),
      dispatchResult: (e, r) => void log.push(`result ${e} ${r}`),
      transitionBegin: (s, t) => void log.push(`begin ${s}->${t}`),
      effect: (s, t) => void log.push(`effect ${s}->${t}`),
      transitionEnd: (s, t) => void log.push(`end ${s}->${t}`),
      entry: (s) => void log.push(`entry ${s}`),
      exit: (s) => void log.push(`exit ${s}`),
      initial: (s, t) => void log.push(`initial ${s}->${t}`),
    };
    const m = Traced.create(log, { tracer }).start();
    assert.deepEqual(log, ['initial Root->P', 'entry P', 'initial P->A', 'entry A']);
    log.length = 0;
    m.dispatch('Go');
    assert.deepEqual(log, [
      'dispatch Go in A',
      'attempt Go at A',
      'begin A->B',
      'exit A',
      'effect A->B',
      'effect',
      'entry B',
      'initial B->B1',
      'entry B1',
      'end A->B',
      'result Go transition',
    ]);
    log.length = 0;
    m.dispatch('Nope');
    assert.deepEqual(log, ['dispatch Nope in B1', 'result Nope unhandled']);
  });

  test('a machine without a tracer behaves the same (tracing has no effect on semantics)', () => {
    const a: string[] = [];
    const b: string[] = [];
    const m1 = Traced.create(a).start();
    const m2 = Traced.create(b, { tracer: {} }).start();
    m1.dispatch('Go');
    m2.dispatch('Go');
    assert.deepEqual(a, b);
    assert.equal(m1.state, m2.state);
  });
});
