/**
 * The HSM benchmark's two baselines (hand-written switch, XState v5) must implement the same
 * machine, or comparing their speed means nothing. Checks: hand-computed counters for short
 * sequences, the exact UML order of entry/exit actions (by tracing counter writes), and identical
 * counters, action order and configuration for both over long deterministic event sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COUNTER_NAMES,
  Counters,
  EVENT_COUNT,
  HALT,
  NOISE,
  PING,
  SCENARIO_NAMES,
  START,
  STOP,
  TOGGLE,
  snapshotCounters,
  type CounterName,
} from '../../bench/hsm/bench-machine.js';
import { createHandwritten, handwrittenLoops } from '../../bench/hsm/handwritten.js';
import { createXstate, xstateLoops } from '../../bench/hsm/xstate-machine.js';

/** Expected counters: zero except the given fields. */
function expected(nonZero: Partial<Record<CounterName, number>>): Record<CounterName, number> {
  const out = snapshotCounters(new Counters());
  for (const k of COUNTER_NAMES) out[k] = nonZero[k] ?? 0;
  return out;
}

/** Counters whose every write is appended to `log` (own accessors shadow the data fields). */
function tracedCounters(log: CounterName[]): Counters {
  const c = new Counters();
  for (const k of COUNTER_NAMES) {
    let v = c[k];
    Object.defineProperty(c, k, {
      get: () => v,
      set: (x: number) => {
        log.push(k);
        v = x;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return c;
}

/** XState's snapshot value as a dotted path, e.g. { Operational: { Active: 'Slow' } } -> 'Operational.Active.Slow'. */
function valuePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  assert.equal(entries.length, 1, 'no parallel states in this machine');
  const [key, child] = entries[0] ?? ['?', '?'];
  return `${key}.${valuePath(child)}`;
}

interface Impl {
  readonly name: string;
  create(counters: Counters): { send: (event: number) => void; path: () => string };
}

const impls: readonly Impl[] = [
  {
    name: 'handwritten',
    create: (counters) => {
      const { machine } = createHandwritten(counters);
      return { send: (e) => void machine.dispatch(e), path: () => machine.path };
    },
  },
  {
    name: 'xstate',
    create: (counters) => {
      const { actor, send } = createXstate(counters);
      return { send, path: () => valuePath(actor.getSnapshot().value) };
    },
  },
];

/** Runs `events` on a fresh machine; returns counters, the ordered action log and the path after each event. */
function run(impl: Impl, events: readonly number[]) {
  const log: CounterName[] = [];
  const counters = tracedCounters(log);
  const m = impl.create(counters);
  const paths = [m.path()];
  for (const e of events) {
    m.send(e);
    paths.push(m.path());
  }
  return { counters: snapshotCounters(counters), log, paths };
}

/** Deterministic pseudo-random events (LCG), no STOP until the final tail. */
function sequence(seed: number, length: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push((s >>> 16) % (EVENT_COUNT - 1)); // ids 0..4: everything but STOP
  }
  out.push(START, TOGGLE, STOP, PING, TOGGLE, STOP, NOISE);
  return out;
}

for (const impl of impls) {
  test(`${impl.name}: initial configuration enters Operational then Idle`, () => {
    const r = run(impl, []);
    assert.deepEqual(r.log, ['enterOperational', 'enterIdle']);
    assert.deepEqual(r.paths, ['Operational.Idle']);
    assert.deepEqual(r.counters, expected({ enterOperational: 1, enterIdle: 1 }));
  });

  test(`${impl.name}: START then TOGGLE — hand-computed counters and UML order`, () => {
    const r = run(impl, [START, TOGGLE]);
    assert.deepEqual(r.counters, expected({
      enterOperational: 1, enterIdle: 1, exitIdle: 1, enterActive: 1, enterSlow: 1, exitSlow: 1, enterFast: 1,
    }));
    assert.deepEqual(r.log.slice(2), ['exitIdle', 'enterActive', 'enterSlow', 'exitSlow', 'enterFast']);
    assert.deepEqual(r.paths, ['Operational.Idle', 'Operational.Active.Slow', 'Operational.Active.Fast']);
  });

  test(`${impl.name}: PING from a leaf is internal to Operational (no exit/entry)`, () => {
    const r = run(impl, [START, PING, PING, TOGGLE, PING]);
    assert.equal(r.counters.pings, 3);
    assert.deepEqual(r.log.slice(5), ['pings', 'pings', 'exitSlow', 'enterFast', 'pings']);
    assert.equal(r.counters.exitOperational, 0);
    assert.equal(r.counters.exitActive, 0);
  });

  test(`${impl.name}: HALT from Fast exits leaf then Active, enters Idle; restart enters Slow`, () => {
    const r = run(impl, [START, TOGGLE, HALT, START]);
    assert.deepEqual(r.log.slice(7), ['exitFast', 'exitActive', 'enterIdle', 'exitIdle', 'enterActive', 'enterSlow']);
    assert.equal(r.paths.at(-1), 'Operational.Active.Slow');
  });

  test(`${impl.name}: unhandled events change nothing and are counted`, () => {
    // NOISE anywhere; TOGGLE and HALT in Idle; START in Active; everything in Stopped.
    const r = run(impl, [NOISE, TOGGLE, HALT, START, START, NOISE, STOP, PING, START, STOP]);
    assert.equal(r.counters.unhandled, 8);
    assert.deepEqual(r.log.slice(2), [
      'unhandled', 'unhandled', 'unhandled',
      'exitIdle', 'enterActive', 'enterSlow',
      'unhandled', 'unhandled',
      'exitSlow', 'exitActive', 'exitOperational', 'enterStopped',
      'unhandled', 'unhandled', 'unhandled',
    ]);
    assert.equal(r.paths.at(-1), 'Stopped');
  });

  test(`${impl.name}: STOP from Idle exits Idle and Operational, enters Stopped`, () => {
    const r = run(impl, [STOP]);
    assert.deepEqual(r.log.slice(2), ['exitIdle', 'exitOperational', 'enterStopped']);
  });
}

test('handwritten and xstate agree on long deterministic sequences (counters, action order, configuration)', () => {
  const [hw, xs] = impls;
  assert.ok(hw !== undefined && xs !== undefined);
  for (const seed of [1, 42, 2024]) {
    const events = sequence(seed, 5000);
    const a = run(hw, events);
    const b = run(xs, events);
    assert.deepEqual(b.counters, a.counters, `counters differ, seed ${seed}`);
    assert.deepEqual(b.paths, a.paths, `configurations differ, seed ${seed}`);
    assert.deepEqual(b.log, a.log, `action order differs, seed ${seed}`);
    // The sequence really exercises everything.
    for (const k of COUNTER_NAMES) {
      if (k !== 'exitStopped') assert.ok(a.counters[k] > 0, `${k} never happened, seed ${seed}`);
    }
    assert.equal(a.paths.at(-1), 'Stopped');
  }
});

test('scenario loops start in their intended states and do what they say', () => {
  for (const make of [handwrittenLoops, xstateLoops]) {
    const counters = { ancestor: new Counters(), sibling: new Counters(), enterInitial: new Counters(), unhandled: new Counters() };
    const loops = make(counters);
    assert.deepEqual(Object.keys(loops).sort(), [...SCENARIO_NAMES].sort());
    // 3 then 4 events: an odd count must not break the next call (enterInitial resumes with HALT).
    for (const name of SCENARIO_NAMES) {
      loops[name](3);
      loops[name](4);
    }
    const start = { enterOperational: 1, enterIdle: 1, exitIdle: 1, enterActive: 1, enterSlow: 1 };
    assert.deepEqual(snapshotCounters(counters.ancestor), expected({ ...start, pings: 7 }), `${make.name} ancestor`);
    assert.deepEqual(snapshotCounters(counters.sibling), expected({ ...start, exitSlow: 4, enterFast: 4, exitFast: 3, enterSlow: 4 }), `${make.name} sibling`);
    assert.deepEqual(snapshotCounters(counters.enterInitial), expected({
      enterOperational: 1, enterIdle: 4, exitIdle: 4, enterActive: 4, enterSlow: 4, exitSlow: 3, exitActive: 3,
    }), `${make.name} enterInitial`);
    assert.deepEqual(snapshotCounters(counters.unhandled), expected({ ...start, unhandled: 7 }), `${make.name} unhandled`);
  }
});
