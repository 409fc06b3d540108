/**
 * `payload<T>()` declares an event's payload type in the `events({...})` object. The value is
 * one shared frozen object; only its type carries `T`. `NoInfer` keeps a contextual type from
 * widening an omitted `T` to `unknown`: `payload()` always means "no payload".
 */
import type { PayloadToken } from './types/event-map.js';

const TOKEN: PayloadToken<unknown> = Object.freeze({});

export function payload<T = void>(): PayloadToken<NoInfer<T>> {
  return TOKEN as unknown as PayloadToken<NoInfer<T>>;
}
