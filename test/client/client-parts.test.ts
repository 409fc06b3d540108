/**
 * The small parts of the client: CLIENT-08 correlation ids, CLIENT-11 backoff with jitter, the
 * manual scheduler and the typed emitter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff, CorrelationIds, DEFAULT_BACKOFF, ManualScheduler, TypedEmitter, randomNonZeroU32, realScheduler } from '../../src/client/index.js';

const fixed = (v: number) => () => v;

describe('CorrelationIds (CLIENT-08)', () => {
  test('seed = (clientId << 32) | random non-zero low half; then the low half increments', () => {
    const ids = new CorrelationIds(0x1234, fixed(0.5));
    assert.equal(ids.next(), (0x1234n << 32n) | 0x80000000n);
    assert.equal(ids.next(), (0x1234n << 32n) | 0x80000001n);
  });

  test('the low half wraps past 0xFFFFFFFF to 1 (0 skipped), the high half never changes', () => {
    const ids = new CorrelationIds(7, fixed(0.9999999999));
    assert.equal(ids.next(), (7n << 32n) | 0xffffffffn);
    assert.equal(ids.next(), (7n << 32n) | 1n);
  });

  test('a random 0 low half becomes 1; a clientId ≥ 2^31 gives the same 64 bits as a (negative) i64', () => {
    const ids = new CorrelationIds(0xffffffff, fixed(0));
    const id = ids.next();
    assert.ok(id < 0n);
    assert.equal(BigInt.asUintN(64, id), (0xffffffffn << 32n) | 1n);
  });

  test('IDENTITY-05: reseed(clientId) moves the high half and draws a new low half', () => {
    const ids = new CorrelationIds(1, fixed(0.25));
    ids.next();
    ids.reseed(2);
    assert.equal(ids.next() >> 32n, 2n);
  });

  test('IDENTITY-04: randomNonZeroU32 never returns 0', () => {
    assert.equal(randomNonZeroU32(fixed(0)), 1);
    assert.equal(randomNonZeroU32(fixed(0.9999999999)), 0xffffffff);
  });
});

describe('Backoff (CLIENT-11)', () => {
  test('exponential from 10 ms, capped at the maximum, reset after success', () => {
    const b = new Backoff(DEFAULT_BACKOFF, fixed(0));
    const delays = Array.from({ length: 12 }, () => b.next());
    assert.deepEqual(delays, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5000, 5000, 5000]);
    b.reset();
    assert.equal(b.next(), 10);
  });

  test('jitter takes up to its fraction off the delay', () => {
    const lo = new Backoff({ ...DEFAULT_BACKOFF, jitter: 0.5 }, fixed(0.999999));
    assert.ok(Math.abs(lo.next() - 5) < 1e-3);
    const none = new Backoff({ ...DEFAULT_BACKOFF, jitter: 0 }, fixed(0.7));
    assert.equal(none.next(), 10);
  });

  test('nonsense options are refused', () => {
    assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, jitter: 2 }, Math.random), RangeError);
    assert.throws(() => new Backoff({ ...DEFAULT_BACKOFF, maxMs: 1 }, Math.random), RangeError);
  });
});

describe('schedulers', () => {
  test('ManualScheduler runs due timers in time order, with now() at each due time, timers set by timers included', () => {
    const s = new ManualScheduler(100);
    const seen: string[] = [];
    s.setTimeout(() => seen.push(`b@${s.now()}`), 20);
    const a = s.setTimeout(() => seen.push(`a@${s.now()}`), 10);
    s.setTimeout(() => {
      seen.push(`c@${s.now()}`);
      s.setTimeout(() => seen.push(`d@${s.now()}`), 5);
    }, 10);
    s.clearTimeout(a);
    s.advance(30);
    assert.deepEqual(seen, ['c@110', 'd@115', 'b@120']);
    assert.equal(s.now(), 130);
    assert.equal(s.pending, 0);
  });

  test('realScheduler: monotonic ms on the CLOCK_MONOTONIC origin, unref\'d timers', () => {
    const s = realScheduler();
    const hr = Number(process.hrtime.bigint()) / 1e6;
    assert.ok(Math.abs(s.now() - hr) < 50);
    const t = s.setTimeout(() => assert.fail('cleared'), 1_000_000);
    assert.equal((t as NodeJS.Timeout).hasRef(), false);
    s.clearTimeout(t);
  });
});

describe('TypedEmitter', () => {
  type Events = { a: [n: number]; b: [s: string, ok: boolean] };

  test('on / once / off, in order; on() returns its remover', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = e.on('a', (n) => seen.push(`on ${n}`));
    e.once('a', (n) => seen.push(`once ${n}`));
    e.on('b', (s, ok) => seen.push(`${s} ${ok}`));
    e.emit('a', 1);
    e.emit('a', 2);
    off();
    e.emit('a', 3);
    e.emit('b', 'x', true);
    assert.deepEqual(seen, ['on 1', 'once 1', 'on 2', 'x true']);
    assert.equal(e.listenerCount('a'), 0);
  });

  test('a throwing handler neither stops the others nor the emitter; its error is rethrown from a microtask', () => {
    const e = new TypedEmitter<Events>();
    const seen: number[] = [];
    const boom = new Error('boom');
    e.on('a', () => {
      throw boom;
    });
    e.on('a', (n) => seen.push(n));
    const queued: (() => void)[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) => void queued.push(fn);
    try {
      e.emit('a', 4);
    } finally {
      globalThis.queueMicrotask = original;
    }
    assert.deepEqual(seen, [4]);
    assert.equal(queued.length, 1);
    assert.throws(() => queued[0]!(), (err: unknown) => err === boom);
  });
});
