/**
 * `tensorpool/hsm`: a hierarchical state machine engine with UML run-to-completion semantics,
 * typed names and allocation-free dispatch. It depends on nothing else in tensorpool.
 */
export { defineMachine } from './define-machine.js';
export type { BuildStep, EventsStep, Machine, MachineDefinition, MachineOptions, StatesStep } from './define-machine.js';
export { payload } from './payload.js';
export { HANDLED, UNHANDLED } from './outcome.js';
export type { MachineStatus } from './machine-runtime.js';
export type { DispatchResult, Tracer } from './tracer.js';
export {
  HsmActionTransitionError,
  HsmDefinitionError,
  HsmError,
  HsmLifecycleError,
  HsmQueueFullError,
  HsmReentrancyError,
} from './errors.js';
export type { HsmErrorCode } from './errors.js';
export type { EventId, EventIds, Handled, Outcome, Ref, Refs, Unhandled } from './types/branded-ids.js';
export type { EventMapOf, EventName, PayloadToken } from './types/event-map.js';
export type { PayloadArgs } from './types/payload-args.js';
export type {
  Action,
  Behaviour,
  ChoiceBehaviour,
  ChoiceBranch,
  ElseBranch,
  EventHandlers,
  HandlerFn,
  Hooks,
  Reaction,
  Reactions,
  StateBehaviour,
  TransitionSpec,
} from './types/behaviour.js';
export type { RootShape, Structure, VertexShape } from './types/structure.js';
