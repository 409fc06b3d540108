/**
 * The argument list an event's payload type calls for: events declared with `payload<void>()`
 * (or `payload()`) are sent with no argument; every other event requires its payload.
 * `[P] extends [void]` keeps the check non-distributive, so `boolean` stays one type.
 */
export type PayloadArgs<P> = [P] extends [void] ? [payload?: undefined] : [payload: P];
