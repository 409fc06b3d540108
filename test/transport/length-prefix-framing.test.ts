/**
 * The control plane's framing (docs/TRANSPORT.md §2): messages split across reads, many per read,
 * and the protocol errors (N > 64 KiB, N < 8) that close a connection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  encodeFrame,
  LengthPrefixDecoder,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
} from '../../src/transport/length-prefix-framing.js';
import { TransportError, TransportErrorCode } from '../../src/transport/transport-error.js';

function message(len: number, seed: number): Uint8Array {
  const m = new Uint8Array(len);
  for (let i = 0; i < len; i++) m[i] = (seed + i * 31) & 0xff;
  return m;
}

function collect(d: LengthPrefixDecoder, chunks: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) d.push(c, (b, off, len) => out.push(new Uint8Array(b.subarray(off, off + len))));
  return out;
}

function prefix(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

describe('length-prefix framing', () => {
  test('a message delivered one byte per read comes out once, whole', () => {
    const m = message(300, 7);
    const wire = encodeFrame(m);
    const chunks = [...wire].map((b) => Uint8Array.of(b));
    const got = collect(new LengthPrefixDecoder(), chunks);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], m);
  });

  test('many messages in one read come out in order, as views of that read (no copy)', () => {
    const ms = [message(8, 1), message(100, 2), message(MAX_FRAME_BYTES, 3)];
    const wire = Buffer.concat(ms.map((m) => encodeFrame(m)));
    const seen: Uint8Array[] = [];
    new LengthPrefixDecoder().push(wire, (b) => seen.push(b));
    assert.equal(seen.length, 3);
    for (const b of seen) assert.equal(b, wire);
    assert.deepEqual(collect(new LengthPrefixDecoder(), [wire]), ms);
  });

  test('a message split across reads, with whole ones around it', () => {
    const ms = [message(20, 1), message(5000, 2), message(9, 3)];
    const wire = Buffer.concat(ms.map((m) => encodeFrame(m)));
    // Cut inside the second message's prefix, then inside its body.
    const cuts = [26, 30, 4000, wire.length];
    const chunks: Uint8Array[] = [];
    let at = 0;
    for (const c of cuts) {
      chunks.push(wire.subarray(at, c));
      at = c;
    }
    const d = new LengthPrefixDecoder();
    assert.deepEqual(collect(d, chunks), ms);
    assert.equal(d.pendingBytes, 0);
    assert.equal(d.frames, 3);
  });

  test('N > 64 KiB is a protocol error at once, before any body arrives, and stays one', () => {
    const d = new LengthPrefixDecoder();
    assert.throws(
      () => d.push(prefix(MAX_FRAME_BYTES + 1), () => assert.fail('no frame')),
      (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.FRAME_TOO_LARGE,
    );
    assert.throws(() => d.push(encodeFrame(message(8, 0)), () => undefined), /exceeds/);
  });

  test('N < 8 (including 0) is a protocol error, also when the prefix arrives in pieces', () => {
    for (const n of [0, 1, MIN_FRAME_BYTES - 1]) {
      const d = new LengthPrefixDecoder();
      const p = prefix(n);
      d.push(p.subarray(0, 2), () => undefined);
      assert.throws(
        () => d.push(p.subarray(2), () => undefined),
        (e: unknown) => e instanceof TransportError && e.code === TransportErrorCode.FRAME_TOO_SMALL,
      );
    }
  });

  test('encodeFrame refuses what the peer would reject', () => {
    assert.throws(() => encodeFrame(new Uint8Array(7)), /cannot send a 7-byte message/);
    assert.throws(() => encodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1)), /cannot send/);
    assert.equal(encodeFrame(new Uint8Array(MAX_FRAME_BYTES)).length, MAX_FRAME_BYTES + 4);
  });

  test('property: any messages, cut anywhere, decode to the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: MIN_FRAME_BYTES, maxLength: 3000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (ms, rawCuts) => {
          const wire = Buffer.concat(ms.map((m) => encodeFrame(m)));
          const cuts = [...new Set(rawCuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const c of [...cuts, wire.length]) {
            chunks.push(wire.subarray(at, c));
            at = c;
          }
          const d = new LengthPrefixDecoder();
          assert.deepEqual(collect(d, chunks), ms);
          assert.equal(d.pendingBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the assembly buffer is reused: split messages of the same size do not grow it again', () => {
    const d = new LengthPrefixDecoder();
    const wire = encodeFrame(message(1000, 1));
    const internals = d as unknown as { partial: Uint8Array };
    collect(d, [wire.subarray(0, 10), wire.subarray(10)]);
    const buf = internals.partial;
    for (let i = 0; i < 50; i++) collect(d, [wire.subarray(0, 500), wire.subarray(500)]);
    assert.equal(internals.partial, buf);
  });
});
