/**
 * The benchmark machine's shared, engine-independent vocabulary: event ids, the `Counters` the
 * entry/exit/handler actions increment, and the scenario names. The hand-written baseline, the
 * XState baseline and the HSM engine's version all use these, so their results can be compared
 * counter for counter.
 *
 * Machine: Root > { Operational > { Idle, Active > { Slow, Fast } }, Stopped }.
 * Initials: Root -> Operational -> Idle; Active -> Slow.
 *   PING   handled by Operational, internal (no exit/entry): pings++
 *   TOGGLE Slow -> Fast, Fast -> Slow
 *   START  Idle -> Active (then Active's initial, Slow)
 *   HALT   handled by Active: Active -> Idle
 *   NOISE  handled by nobody
 *   STOP   handled by Operational: Operational -> Stopped
 * Any event no active state handles (NOISE always; also e.g. START while in Active, or anything
 * while Stopped) changes nothing and increments `unhandled`.
 */

export const PING = 0;
export const TOGGLE = 1;
export const START = 2;
export const HALT = 3;
export const NOISE = 4;
export const STOP = 5;

/** Number of event ids; ids are 0 .. EVENT_COUNT - 1. */
export const EVENT_COUNT = 6;

/** Event names indexed by event id (for XState event types and messages). */
export const EVENT_NAMES = ['PING', 'TOGGLE', 'START', 'HALT', 'NOISE', 'STOP'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/**
 * What the machine's actions record. Plain numeric fields (one hidden class, monomorphic
 * increments); every implementation increments the same fields at the same moments:
 * `enterX`/`exitX` in the state's entry/exit action, `pings` in Operational's PING handler,
 * `unhandled` when an event finds no handler in the active configuration.
 */
export class Counters {
  enterOperational = 0;
  exitOperational = 0;
  enterIdle = 0;
  exitIdle = 0;
  enterActive = 0;
  exitActive = 0;
  enterSlow = 0;
  exitSlow = 0;
  enterFast = 0;
  exitFast = 0;
  enterStopped = 0;
  exitStopped = 0;
  pings = 0;
  unhandled = 0;
}

export type CounterName = keyof Counters;

/** Every field of `Counters`, in declaration order. */
export const COUNTER_NAMES: readonly CounterName[] = [
  'enterOperational',
  'exitOperational',
  'enterIdle',
  'exitIdle',
  'enterActive',
  'exitActive',
  'enterSlow',
  'exitSlow',
  'enterFast',
  'exitFast',
  'enterStopped',
  'exitStopped',
  'pings',
  'unhandled',
];

/** A plain-object copy of the counters (for assertions and reports; allocates). */
export function snapshotCounters(c: Counters): Record<CounterName, number> {
  const out = {} as Record<CounterName, number>;
  for (const k of COUNTER_NAMES) out[k] = c[k];
  return out;
}

export type ScenarioName = 'ancestor' | 'sibling' | 'enterInitial' | 'unhandled';

/**
 * The timed scenarios. Each `Loop(n)` sends n events:
 * - ancestor: in Slow, PING (handled two levels up, by Operational);
 * - sibling: TOGGLE, Slow <-> Fast;
 * - enterInitial: START and HALT alternately, Idle -> Active/Slow -> Idle;
 * - unhandled: in Slow, NOISE.
 */
export const SCENARIO_NAMES: readonly ScenarioName[] = ['ancestor', 'sibling', 'enterInitial', 'unhandled'];
