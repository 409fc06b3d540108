/**
 * HSM-SEM-11 type tests: events and payloads. Event names and payload types are declared once in
 * `events({...})`; dispatch, send and every handler parameter are typed from that declaration.
 * Type-checked by `tsc -p tsconfig.json` (part of `npm test`); never run: each
 * `// @ts-expect-error` must see an error on the next line or tsc fails the build.
 */
import { HANDLED, defineMachine, payload } from '../../../src/hsm/index.js';

interface Ctx {
  last: bigint;
  label: string;
}

function define() {
  return defineMachine<Ctx>('Payloads')
    .events({ Tick: payload<bigint>(), Rename: payload<string>(), Stop: payload(), Flag: payload<boolean>() })
    .states({ Idle: {}, Stopped: {} }, { initial: 'Idle' })
    .build({
      Idle: {
        on: {
          // Proves a function handler's payload parameter is typed from its event (bigint here).
          Tick: (c, now) => {
            const x: bigint = now;
            // @ts-expect-error — proves the payload parameter is not `any`: a bigint is not a string.
            const y: string = now;
            c.last = x;
            void y;
            return HANDLED;
          },
          // Proves declarative guards and effects get the event's payload type too.
          Rename: { guard: (_c, name) => name.length > 0, effect: (c, name) => void (c.label = name) },
          Stop: 'Stopped',
        },
      },
    });
}

export function dispatchChecks(): void {
  const Def = define();
  const m = Def.create({ last: 0n, label: '' }).start();

  // Proves the positive cases: each event with its declared payload, void events with none.
  m.dispatch('Tick', 1n);
  m.dispatch('Rename', 'x');
  m.dispatch('Stop');
  m.dispatch('Flag', true);
  m.postName('Tick', 2n);

  // @ts-expect-error — proves dispatch rejects an undeclared event name.
  m.dispatch('Typo');
  // @ts-expect-error — proves a payload of the wrong type is rejected (number for payload<bigint>()).
  m.dispatch('Tick', 1);
  // @ts-expect-error — proves a missing required payload is rejected.
  m.dispatch('Tick');
  // @ts-expect-error — proves a payload passed to a payload() (void) event is rejected.
  m.dispatch('Stop', 1);
  // @ts-expect-error — proves boolean payloads stay one type (PayloadArgs is not distributive): no omission.
  m.dispatch('Flag');
  // @ts-expect-error — proves postName is typed like dispatch.
  m.postName('Rename', 5);
}

export function sendChecks(): void {
  const Def = define();
  const E = Def.events;
  const m = Def.create({ last: 0n, label: '' }).start();

  // Proves send by integer id is typed by the id's event, exactly like dispatch.
  m.send(E.Tick, 3n);
  m.send(E.Stop);
  m.post(E.Rename, 'y');

  // @ts-expect-error — proves send rejects a payload of the wrong type for the id's event.
  m.send(E.Tick, 'soon');
  // @ts-expect-error — proves send rejects a missing required payload.
  m.send(E.Rename);
  // @ts-expect-error — proves send rejects a payload for a void event.
  m.send(E.Stop, 0n);
  // @ts-expect-error — proves a bare number is not an event id (ids are branded).
  m.send(0);
  // @ts-expect-error — proves the events table has no undeclared names.
  m.send(E.Typo);

  // An event id of another definition, for an event this machine does not declare.
  const Other = defineMachine<Ctx>('Other').events({ Reset: payload(), Tick: payload<bigint>() }).states({ A: {} }, { initial: 'A' }).build({});
  // @ts-expect-error — proves send rejects another machine's event id whose name this machine lacks.
  m.send(Other.events.Reset);

  // @ts-expect-error — proves a same-named event id of another machine is rejected: ids are per machine.
  m.send(Other.events.Tick, 1n);
}

export function handlerKeyChecks(): void {
  const step = defineMachine<Ctx>('Keys')
    .events({ Tick: payload<bigint>(), Stop: payload() })
    .states({ Idle: {}, Stopped: {} }, { initial: 'Idle' });

  step.build({
    Idle: {
      on: {
        Stop: 'Stopped',
        // @ts-expect-error — proves an `on` key that is not a declared event is rejected.
        Stopp: 'Stopped',
      },
    },
  });

  step.build({
    Idle: {
      on: {
        // @ts-expect-error — proves a guard's payload parameter has the event's type (bigint, not string).
        Tick: { guard: (_c, t: string) => t.length > 0, target: 'Stopped' },
      },
    },
  });

  step.build({
    Idle: {
      any: (_c, p) => {
        // Proves a catch-all's payload is the union of every event's payload type.
        const all: bigint | void = p;
        // @ts-expect-error — proves that union is not narrowed to one event's payload.
        const one: bigint = p;
        void [all, one];
        return HANDLED;
      },
    },
  });
}
