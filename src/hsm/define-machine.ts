/**
 * The typed front door: `defineMachine<Ctx>(name).events({...}).states({...}, {initial}).build({...})`.
 * Declaring structure before behaviour mirrors the seed (`@statedef` before `@on_event`) and lets
 * TypeScript know every state and event name before it checks a single handler.
 */
import { compileDefinition, type RawBehaviour, type RawDefinition, type RawHooks, type RawShape } from './compile-definition.js';
import { compileDispatch, type RuntimeClass } from './compile-dispatch.js';
import { MachineRuntime, type MachineStatus } from './machine-runtime.js';
import type { Tracer } from './tracer.js';
import type { Behaviour, Hooks } from './types/behaviour.js';
import type { EventId, EventIds, Ref, Refs } from './types/branded-ids.js';
import type { EventMapOf, EventName, PayloadToken } from './types/event-map.js';
import type { PayloadArgs } from './types/payload-args.js';
import type { RootShape, Structure } from './types/structure.js';

export interface MachineOptions<S extends string, E extends string> {
  readonly tracer?: Tracer<S, E>;
  /** Capacity of the post() queue. Default 64. */
  readonly queueCapacity?: number;
  /**
   * Use the definition's specialised dispatch code (default true). `false` runs the table
   * interpreter instead — for environments that forbid `new Function` (strict CSP). A tracer
   * always runs on the interpreter, so that untraced machines pay nothing for tracing.
   */
  readonly compile?: boolean;
}

/** A running instance. All methods are allocation-free once started. */
export interface Machine<C, Ev, S extends string> {
  readonly ctx: C;
  /** The active leaf state. */
  readonly state: S;
  readonly stateId: Ref<S, S>;
  readonly status: MachineStatus;
  /** Events that no state consumed (HSM-SEM-3). */
  readonly unhandledCount: number;
  /** Posted events discarded because the machine completed or terminated before them. */
  readonly droppedCount: number;
  /** Enters the initial configuration. Call once. */
  start(): this;
  /** Fastest path: dispatch by integer event id (`Definition.events.X`). */
  send<K extends EventName<Ev>>(event: EventId<K, EventName<Ev>>, ...payload: PayloadArgs<Ev[K]>): void;
  /** Dispatch by event name (one map lookup more than `send`). */
  dispatch<K extends EventName<Ev>>(event: K, ...payload: PayloadArgs<Ev[K]>): void;
  /** Queue an event for after the current step; from outside a step, same as `send`. */
  post<K extends EventName<Ev>>(event: EventId<K, EventName<Ev>>, ...payload: PayloadArgs<Ev[K]>): void;
  postName<K extends EventName<Ev>>(event: K, ...payload: PayloadArgs<Ev[K]>): void;
  /** True if `state` is the active leaf or one of its ancestors. */
  isIn(state: S): boolean;
  isInId(state: Ref<S, S>): boolean;
}

export interface MachineDefinition<C, Ev, S extends string> {
  readonly name: string;
  /** Integer ids of the events, for `send`. */
  readonly events: EventIds<EventName<Ev>>;
  /** Integer ids of the states (the same table handlers receive). */
  readonly states: Refs<S>;
  create(ctx: C, options?: MachineOptions<S, EventName<Ev>>): Machine<C, Ev, S>;
}

export interface StatesStep<C, Ev> {
  /**
   * Declares every state and pseudostate. Names are the object's keys; `parent`, `initial`
   * and history `default` must name declared states (a typo is a compile error).
   */
  states<const T extends Structure<keyof T & string>>(
    structure: T,
    root: RootShape<keyof T & string>,
  ): BuildStep<C, Ev, T>;
}

export interface BuildStep<C, Ev, T> {
  /** Attaches behaviour and validates the whole definition (throws HsmDefinitionError). */
  build(
    behaviour: Behaviour<C, Ev, T>,
    hooks?: Hooks<C, Ev, keyof T & string>,
  ): MachineDefinition<C, Ev, keyof T & string>;
}

export interface EventsStep<C> {
  /** Declares the events with their payload types: `{ Tick: payload<bigint>(), Stop: payload() }`. */
  events<const D extends Record<string, PayloadToken<unknown>>>(events: D): StatesStep<C, EventMapOf<D>>;
}

export function defineMachine<C = void>(name: string): EventsStep<C> {
  return {
    events(events) {
      const eventNames = Object.keys(events);
      return {
        states(structure, root) {
          return {
            build(behaviour, hooks) {
              const raw: RawDefinition = {
                name,
                events: eventNames,
                structure: structure as unknown as Record<string, RawShape>,
                rootInitial: (root as { initial?: unknown } | undefined)?.initial as string,
                behaviour: behaviour as unknown as Record<string, RawBehaviour>,
                hooks: (hooks ?? {}) as RawHooks,
              };
              const compiled = compileDefinition(raw);
              let specialised: RuntimeClass | null | undefined;
              type S = keyof typeof structure & string;
              type Ev = EventMapOf<typeof events>;
              return {
                name,
                events: Object.freeze(Object.fromEntries(compiled.eventIndex)) as unknown as EventIds<EventName<Ev>>,
                states: compiled.refs as unknown as Refs<S>,
                create(ctx, options) {
                  let Impl: RuntimeClass = MachineRuntime;
                  if (options?.tracer === undefined && options?.compile !== false) {
                    // Compiled on first use, so definitions that are only ever traced or
                    // interpreted never run the code generator.
                    if (specialised === undefined) specialised = compileDispatch(compiled);
                    if (specialised !== null) Impl = specialised;
                  }
                  const runtime = new Impl(compiled, ctx, {
                    tracer: options?.tracer as Tracer | undefined,
                    queueCapacity: options?.queueCapacity,
                  });
                  return runtime as unknown as Machine<C, Ev, S>;
                },
              };
            },
          };
        },
      };
    },
  };
}
