/**
 * Per-frame validation (SHM_LAYOUT.md §5.3 step 5, §7.2, §7.3, §7.4): a committed, stable slot
 * that breaks any rule is dropped and counted in framesInvalid, never returned and never thrown.
 * Each case edits one field of the hand-built §3.3 slot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dtype, MajorOrder, ProgressUnit } from '../../src/sbe/index.js';
import { FrameReader } from '../../src/data/index.js';
import { hex } from '../sbe/hex.js';
import { EPOCH, EXAMPLE_SLOT_HEX, makeRing, slotBytes } from './ring-fixture.js';

type Edit = (dv: DataView) => void;

function readEdited(edit: Edit): { frame: boolean; reader: FrameReader } {
  const ring = makeRing(1024, [{ poolId: 1, strideBytes: 64 }]);
  const slot = hex(EXAMPLE_SLOT_HEX);
  edit(new DataView(slot.buffer));
  slotBytes(ring, 5).set(slot);
  const reader = new FrameReader(ring);
  return { frame: reader.read(5, EPOCH) !== null, reader };
}

const invalid: [string, Edit][] = [
  ['headerBytes length 191 (§5.3 step 5)', (dv) => dv.setUint32(60, 191, true)],
  ['headerBytes length 0', (dv) => dv.setUint32(60, 0, true)],
  ['embedded blockLength 183', (dv) => dv.setUint16(64, 183, true)],
  ['embedded templateId 51', (dv) => dv.setUint16(66, 51, true)],
  ['embedded schemaId 901', (dv) => dv.setUint16(68, 901, true)],
  ['embedded version 0 (RI: exact match)', (dv) => dv.setUint16(70, 0, true)],
  ['embedded version 2', (dv) => dv.setUint16(70, 2, true)],
  ['payloadSlot ≠ header index (§7.2 rule 1)', (dv) => dv.setUint32(12, 6, true)],
  ['payloadSlot ≥ nslots', (dv) => dv.setUint32(12, 1029, true)],
  ['payloadOffset 8 (rule 2)', (dv) => dv.setUint32(18, 8, true)],
  ['dtype UNKNOWN (rule 3)', (dv) => dv.setInt16(72, Dtype.UNKNOWN, true)],
  ['dtype 12 (unassigned)', (dv) => dv.setInt16(72, 12, true)],
  ['dtype null -32768', (dv) => dv.setInt16(72, -32768, true)],
  ['majorOrder UNKNOWN', (dv) => dv.setInt16(74, MajorOrder.UNKNOWN, true)],
  ['majorOrder 3', (dv) => dv.setInt16(74, 3, true)],
  ['ndims 0 (rule 4)', (dv) => dv.setUint8(76, 0)],
  ['ndims 9', (dv) => dv.setUint8(76, 9)],
  ['negative dim (§7.3 rule 1)', (dv) => dv.setInt32(83, -3, true)],
  ['negative stride', (dv) => dv.setInt32(115, -4, true)],
  ['outer stride too small: overlap (§7.3 rule 2)', (dv) => dv.setInt32(115, 3, true)],
  ['inner stride below the element size', (dv) => {
    dv.setInt16(72, Dtype.FLOAT32, true);
    dv.setInt32(119, 2, true);
    dv.setInt32(115, 0, true);
  }],
  ['progressUnit ROWS with progressStrideBytes 0 (rule 6)', (dv) => dv.setUint8(78, ProgressUnit.ROWS)],
  ['progressUnit ROWS with a wrong stride', (dv) => {
    dv.setUint8(78, ProgressUnit.ROWS);
    dv.setUint32(79, 3, true);
  }],
  ['progressUnit COLUMNS with 1 dim', (dv) => {
    dv.setUint8(76, 1);
    dv.setUint8(78, ProgressUnit.COLUMNS);
    dv.setUint32(79, 1, true);
  }],
  ['progressUnit 3 (unknown enum)', (dv) => dv.setUint8(78, 3)],
  ['poolId not mapped (rule 7)', (dv) => dv.setUint16(16, 2, true)],
  ['valuesLenBytes > stride (rule 8)', (dv) => dv.setUint32(8, 65, true)],
];

for (const [name, edit] of invalid) {
  test(`invalid: ${name} → dropped, framesInvalid`, () => {
    const { frame, reader } = readEdited(edit);
    assert.equal(frame, false);
    assert.equal(reader.framesInvalid, 1);
    assert.equal(reader.framesRead, 0);
  });
}

const valid: [string, Edit][] = [
  ['the example itself', () => {}],
  ['progressUnit ROWS with strides[0] = 4', (dv) => {
    dv.setUint8(78, ProgressUnit.ROWS);
    dv.setUint32(79, 4, true);
  }],
  ['progressUnit COLUMNS with strides[1] = 1', (dv) => {
    dv.setUint8(78, ProgressUnit.COLUMNS);
    dv.setUint32(79, 1, true);
  }],
  ['padded row stride 8 ≥ 4', (dv) => dv.setInt32(115, 8, true)],
  ['strides beyond ndims are ignored', (dv) => dv.setInt32(123, -1, true)],
  ['padAlign and pad bytes are ignored', (dv) => {
    dv.setUint8(77, 9);
    dv.setUint8(40, 1);
    dv.setUint8(200, 1);
  }],
  ['valuesLenBytes = stride', (dv) => dv.setUint32(8, 64, true)],
  ['empty payload (§4 rule 7)', (dv) => dv.setUint32(8, 0, true)],
  ['a zero dim', (dv) => dv.setInt32(83, 0, true)],
];

for (const [name, edit] of valid) {
  test(`valid: ${name} → read`, () => {
    const { frame, reader } = readEdited(edit);
    assert.equal(frame, true);
    assert.equal(reader.framesInvalid, 0);
  });
}

test('epoch mismatch (§5.3 step 1) is its own drop, checked first', () => {
  const { reader } = readEdited(() => {});
  assert.equal(reader.read(5, EPOCH + 1n), null);
  assert.equal(reader.framesEpochMismatch, 1);
  assert.ok(reader.read(5, EPOCH) !== null);
});
