/**
 * The client → driver messages the control-plane fuzzer builds and mutates (docs/TRANSPORT.md §3):
 * ShmAttachRequest, ShmDetachRequest, ShmLeaseKeepalive, ShmDriverShutdownRequest (901),
 * ConsumerHello, FrameDescriptor (900), and the admin StatusRequest (§5). Field offsets, widths and
 * enum values come from the schema descriptions in codegen/sbe (via test/sbe/schema-model), so a
 * schema change moves the fuzzer with it instead of leaving a stale copy of the layout here.
 *
 * Every value is a bigint written little-endian in the field's width (two's complement for
 * signed types, BigInt.asUintN), so a mutation can put any bit pattern in any field.
 */
import { MESSAGE_HEADER_LENGTH, VAR_DATA_LENGTH_SIZE } from '../../../src/sbe/index.js';
import { ADMIN_SCHEMA_ID, ADMIN_SCHEMA_VERSION, STATUS_REQUEST_TEMPLATE_ID } from '../../../src/transport/admin-codec.js';
import { nullOf, primitiveOf } from '../../../test/sbe/message-values.js';
import { driverSchema, enumValues, wireSchema, type SchemaModel } from '../../../test/sbe/schema-model.js';

export interface FuzzField {
  readonly name: string;
  /** Offset in the root block. */
  readonly offset: number;
  /** Width in bytes (1, 2, 4 or 8). */
  readonly size: number;
  readonly signed: boolean;
  /** The defined values of an enum field (the fuzzer also sends values outside them). */
  readonly enumValues: readonly number[] | null;
  /** The null sentinel of an optional field, as the raw unsigned bit pattern. */
  readonly nullValue: bigint | null;
}

export interface FuzzMessage {
  readonly name: string;
  readonly schemaId: number;
  readonly version: number;
  readonly templateId: number;
  readonly blockLength: number;
  readonly fields: readonly FuzzField[];
  /** Var-data fields after the block, in order (u32 length + bytes each). */
  readonly vars: readonly string[];
}

const WIDTH: Readonly<Record<string, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8 };

function fromModel(schema: SchemaModel, name: string): FuzzMessage {
  const msg = schema.messages.find((m) => m.name === name);
  if (msg === undefined) throw new Error(`schema ${schema.id} has no message ${name}`);
  const fields = msg.fields
    .filter((f) => f.pad !== true && f.constant === undefined && f.length === undefined)
    .map((f): FuzzField => {
      const prim = primitiveOf(schema, f);
      const size = WIDTH[prim];
      if (size === undefined || f.offset === undefined) throw new Error(`${name}.${f.name}: unsupported field type ${prim}`);
      const nul = f.optional === true ? BigInt.asUintN(size * 8, BigInt(nullOf(schema, f))) : null;
      return { name: f.name, offset: f.offset, size, signed: prim.startsWith('i'), enumValues: enumValues(schema, f.type) ?? null, nullValue: nul };
    });
  return { name, schemaId: schema.id, version: schema.version, templateId: msg.id, blockLength: msg.blockLength, fields, vars: (msg.varData ?? []).map((v) => v.name) };
}

export const ATTACH = fromModel(driverSchema, 'ShmAttachRequest');
export const DETACH = fromModel(driverSchema, 'ShmDetachRequest');
export const KEEPALIVE = fromModel(driverSchema, 'ShmLeaseKeepalive');
export const SHUTDOWN_REQUEST = fromModel(driverSchema, 'ShmDriverShutdownRequest');
export const CONSUMER_HELLO = fromModel(wireSchema, 'ConsumerHello');
export const FRAME_DESCRIPTOR = fromModel(wireSchema, 'FrameDescriptor');
/** The admin StatusRequest is hand-written (admin-codec.ts), so its one field is too. */
export const STATUS_REQUEST: FuzzMessage = {
  name: 'StatusRequest',
  schemaId: ADMIN_SCHEMA_ID,
  version: ADMIN_SCHEMA_VERSION,
  templateId: STATUS_REQUEST_TEMPLATE_ID,
  blockLength: 8,
  fields: [{ name: 'correlationId', offset: 0, size: 8, signed: true, enumValues: null, nullValue: null }],
  vars: [],
};

/** Every client → driver message, the seeds of the mutation generator. */
export const CLIENT_MESSAGES: readonly FuzzMessage[] = [ATTACH, DETACH, KEEPALIVE, SHUTDOWN_REQUEST, CONSUMER_HELLO, FRAME_DESCRIPTOR, STATUS_REQUEST];

/** Field values by name (missing fields are zero, or null when optional); var-data by name. */
export type FieldValues = Readonly<Record<string, bigint>>;
export type VarValues = Readonly<Record<string, Uint8Array>>;

/** Writes `value` little-endian in `size` bytes at `pos` (any bit pattern: the value is truncated to the width). */
export function writeLE(buf: Uint8Array, pos: number, size: number, value: bigint): void {
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    buf[pos + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Encodes a complete message: header, root block, then every var-data field. */
export function encodeFuzzMessage(msg: FuzzMessage, values: FieldValues, vars: VarValues = {}): Uint8Array {
  let varBytes = 0;
  for (const name of msg.vars) varBytes += VAR_DATA_LENGTH_SIZE + (vars[name]?.length ?? 0);
  const out = new Uint8Array(MESSAGE_HEADER_LENGTH + msg.blockLength + varBytes);
  writeLE(out, 0, 2, BigInt(msg.blockLength));
  writeLE(out, 2, 2, BigInt(msg.templateId));
  writeLE(out, 4, 2, BigInt(msg.schemaId));
  writeLE(out, 6, 2, BigInt(msg.version));
  for (const f of msg.fields) {
    const v = values[f.name] ?? f.nullValue ?? 0n;
    writeLE(out, MESSAGE_HEADER_LENGTH + f.offset, f.size, v);
  }
  let pos = MESSAGE_HEADER_LENGTH + msg.blockLength;
  for (const name of msg.vars) {
    const data = vars[name] ?? new Uint8Array(0);
    writeLE(out, pos, VAR_DATA_LENGTH_SIZE, BigInt(data.length));
    out.set(data, pos + VAR_DATA_LENGTH_SIZE);
    pos += VAR_DATA_LENGTH_SIZE + data.length;
  }
  return out;
}

/** Offsets of the var-data length prefixes of an encoded message (as encodeFuzzMessage laid them out). */
export function varLengthOffsets(msg: FuzzMessage, body: Uint8Array): number[] {
  const out: number[] = [];
  let pos = MESSAGE_HEADER_LENGTH + msg.blockLength;
  for (let i = 0; i < msg.vars.length && pos + VAR_DATA_LENGTH_SIZE <= body.length; i++) {
    out.push(pos);
    const len = (body[pos] as number) | ((body[pos + 1] as number) << 8) | ((body[pos + 2] as number) << 16) | ((body[pos + 3] as number) << 24);
    pos += VAR_DATA_LENGTH_SIZE + (len >>> 0);
  }
  return out;
}
