/**
 * Test support: the schema descriptions in codegen/sbe (loaded at run time, they are plain ESM)
 * and untyped handles on the generated flyweights, so property and fuzz tests can drive every
 * message generically.
 */
import * as sbe from '../../src/sbe/index.js';

export interface FieldModel {
  readonly name: string;
  readonly type: string;
  readonly offset?: number;
  readonly optional?: boolean;
  readonly nullValue?: string;
  readonly length?: number;
  readonly pad?: boolean;
  readonly constant?: number;
}

export interface VarModel {
  readonly name: string;
  readonly type: 'ascii' | 'data';
}

export interface GroupModel {
  readonly name: string;
  readonly blockLength: number;
  readonly fields: readonly FieldModel[];
  readonly varData?: readonly VarModel[];
}

export interface MessageModel {
  readonly name: string;
  readonly id: number;
  readonly blockLength: number;
  readonly header?: boolean;
  readonly fields: readonly FieldModel[];
  readonly groups?: readonly GroupModel[];
  readonly varData?: readonly VarModel[];
}

export interface EnumModel {
  readonly name: string;
  readonly encoding?: string;
  readonly sameAs?: string;
  readonly values?: readonly (readonly [string, number, string?])[];
}

export interface SchemaModel {
  readonly id: number;
  readonly version: number;
  readonly enums: readonly EnumModel[];
  readonly messages: readonly MessageModel[];
}

async function load(file: string): Promise<SchemaModel> {
  const url = new URL(`../../../codegen/sbe/${file}`, import.meta.url);
  const mod = (await import(url.href)) as { default: SchemaModel };
  return mod.default;
}

export const driverSchema = await load('driver-schema.mjs');
export const wireSchema = await load('wire-schema.mjs');
export const schemas: readonly SchemaModel[] = [driverSchema, wireSchema];

/** Every message with the schema it belongs to. */
export const allMessages: readonly { schema: SchemaModel; msg: MessageModel }[] = schemas.flatMap((schema) =>
  schema.messages.map((msg) => ({ schema, msg })));

/** A generated flyweight seen as a bag of methods. */
export type Flyweight = Record<string, (...args: unknown[]) => unknown>;

type Ctor = new () => Flyweight;

/** Calls method `m` of a flyweight by name. */
export function call(fw: Flyweight, m: string, ...args: unknown[]): unknown {
  const fn = fw[m];
  if (fn === undefined) throw new Error(`no method ${m}`);
  return fn.apply(fw, args);
}

export function newEncoder(name: string): Flyweight {
  return new ((sbe as unknown as Record<string, Ctor>)[`${name}Encoder`] as Ctor)();
}

export function newDecoder(name: string): Flyweight {
  return new ((sbe as unknown as Record<string, Ctor>)[`${name}Decoder`] as Ctor)();
}

/** Values of an enum (resolving `sameAs` to the driver schema's definition). */
export function enumValues(schema: SchemaModel, name: string): number[] | undefined {
  const e = schema.enums.find((x) => x.name === name);
  if (e === undefined) return undefined;
  const def = e.sameAs !== undefined ? driverSchema.enums.find((x) => x.name === name) : e;
  return (def?.values ?? []).map((v) => v[1]);
}

export function enumEncoding(schema: SchemaModel, name: string): string | undefined {
  return schema.enums.find((x) => x.name === name)?.encoding;
}

export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
