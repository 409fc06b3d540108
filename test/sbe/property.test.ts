/**
 * Property tests (PROTOCOL.md §1): every message of both schemas round-trips random valid values,
 * including extreme values, nulls (§1.5), empty and long var data (§1.4), zero and many group
 * entries (§1.3), at offset 0 and at an odd offset inside a larger buffer.
 */
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { allMessages } from './schema-model.js';
import { checkDecoded, encodeMessage, messageArb } from './message-values.js';

const buf = new Uint8Array(1 << 21);

describe('round trip of every message with random valid values', () => {
  for (const { schema, msg } of allMessages) {
    test(`${msg.name} (schema ${schema.id}, template ${msg.id}) encodes and decodes back`, () => {
      fc.assert(
        fc.property(messageArb(schema, msg), fc.integer({ min: 0, max: 7 }), (value, offset) => {
          const n = encodeMessage(msg, value, buf, offset);
          checkDecoded(schema, msg, value, buf, offset, n);
        }),
        { numRuns: 60, seed: 0x5be },
      );
    });
  }
});
