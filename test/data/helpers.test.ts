/** Dtype table, CRC-32 and the verification pattern of `tensorpool produce`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { Dtype } from '../../src/sbe/index.js';
import { crc32, crc32Hex, DTYPE_NAMES, dtypeElementSize, dtypeFromName, dtypeToName, fillPattern, patternByte, verifyPattern } from '../../src/data/index.js';
import { ascii } from '../sbe/hex.js';

test('dtype names ↔ codes and element sizes (PROTOCOL.md §3.2)', () => {
  const sizes: Record<string, number> = {
    UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, UINT32: 4, INT32: 4, UINT64: 8, INT64: 8, FLOAT32: 4, FLOAT64: 8, BOOLEAN: 1, BYTES: 1, BIT: 1,
  };
  assert.equal(DTYPE_NAMES.length, 13);
  for (const name of DTYPE_NAMES) {
    const code = dtypeFromName(name) ?? assert.fail(name);
    assert.equal(code, Dtype[name]);
    assert.equal(dtypeToName(code), name);
    assert.equal(dtypeFromName(name.toLowerCase()), code);
    assert.equal(dtypeElementSize(code), sizes[name]);
  }
  assert.equal(dtypeFromName('UNKNOWN'), undefined);
  assert.equal(dtypeFromName('float'), undefined);
  assert.equal(dtypeFromName('constructor'), undefined);
  assert.equal(dtypeElementSize(0), 0);
  assert.equal(dtypeElementSize(12), 0);
  assert.equal(dtypeToName(0), undefined);
});

test('crc32: the check value and zlib agreement', () => {
  assert.equal(crc32(ascii('123456789')), 0xcbf43926);
  assert.equal(crc32Hex(crc32(ascii('123456789'))), 'cbf43926');
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32Hex(0x1a), '0000001a');
  const zcrc = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
      const at = Math.min(cut, bytes.length);
      const whole = crc32(bytes);
      assert.equal(crc32(bytes, crc32(bytes, 0, 0, at), at), whole, 'continuation');
      if (zcrc !== undefined) assert.equal(whole, zcrc(bytes));
    }),
  );
});

test('verification pattern: byte i of frame seq is (seq * 31 + i) & 0xFF', () => {
  for (const seq of [0, 1, 5, 255, 256, 1000, 2 ** 31 + 3, 2 ** 52 - 1]) {
    for (const length of [0, 1, 255, 256, 257, 1000, 4096, 5000]) {
      const bytes = new Uint8Array(length);
      fillPattern(bytes, seq);
      for (let i = 0; i < length; i++) {
        const expected = Number((BigInt(seq) * 31n + BigInt(i)) & 0xffn);
        if (bytes[i] !== expected) assert.fail(`seq ${seq} length ${length} byte ${i}: ${bytes[i]} ≠ ${expected}`);
        if (i < 3) assert.equal(patternByte(seq, i), expected);
      }
      assert.equal(verifyPattern(bytes, seq), -1);
      if (length > 0) {
        bytes[length - 1] = (bytes[length - 1] as number) ^ 1;
        assert.equal(verifyPattern(bytes, seq), length - 1);
      }
    }
  }
});
