/**
 * LeaseIdTable (src/driver/lease-id-table.ts), the driver's lease id → entry index: behaves like
 * a Map for any sequence of sets and deletes (growth, deleted slots, ids past 2^31 and up to
 * 2^53), and lists entries in id order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LeaseIdTable } from '../../src/driver/lease-id-table.js';

test('agrees with a Map over random sets, deletes and gets (sequential ids as the driver hands them out, plus huge ones)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 1, max: 5000 }) }),
    fc.record({ kind: fc.constant('del' as const), id: fc.integer({ min: 1, max: 5000 }) }),
    fc.record({ kind: fc.constant('set' as const), id: fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
      const t = new LeaseIdTable<string>();
      const m = new Map<number, string>();
      ops.forEach((o, n) => {
        if (o.kind === 'set') {
          t.set(o.id, `v${n}`);
          m.set(o.id, `v${n}`);
        } else {
          assert.equal(t.delete(o.id), m.delete(o.id));
        }
      });
      assert.equal(t.size, m.size);
      for (let id = 1; id <= 5000; id++) assert.equal(t.get(id), m.get(id));
      assert.deepEqual(t.values(), [...m.keys()].sort((a, b) => a - b).map((k) => m.get(k)));
    }),
    { numRuns: 60 },
  );
});

test('a long life of attach/detach (ids never reused, deleted slots reclaimed) finds every live lease', () => {
  const t = new LeaseIdTable<number>();
  for (let id = 1; id <= 200_000; id++) {
    t.set(id, id);
    if (id > 100) t.delete(id - 100); // 100 live leases at any time
  }
  assert.equal(t.size, 100);
  for (let id = 199_901; id <= 200_000; id++) assert.equal(t.get(id), id);
  assert.equal(t.get(5), undefined);
});

test('refuses an id that is not a positive safe integer', () => {
  const t = new LeaseIdTable<number>();
  assert.throws(() => t.set(0, 1), RangeError);
  assert.throws(() => t.set(2 ** 53, 1), RangeError);
  assert.throws(() => t.set(1.5, 1), RangeError);
});
