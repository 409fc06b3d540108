/**
 * Events are declared once, at run time, as `{ Name: payload<T>() }`; the payload type `T` rides
 * on a phantom property so the whole event map is inferred from that one object.
 */
declare const payloadBrand: unique symbol;

/** A phantom token carrying payload type `T`; its run-time value is an empty frozen object. */
export interface PayloadToken<T> {
  readonly [payloadBrand]?: () => T;
}

/** `{ Tick: payload<bigint>() }` → `{ Tick: bigint }`. */
export type EventMapOf<D> = { [K in keyof D]: D[K] extends PayloadToken<infer T> ? T : never };

/** Event names of an event map, as a string-literal union. */
export type EventName<E> = keyof E & string;
