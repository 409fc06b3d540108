/**
 * StreamHsm, one per stream: UNCLAIMED → READY on Provision (first epoch + announce), READY →
 * PRODUCER_ATTACHED on ProducerAttach (epoch bump, EPOCH-01a), back to READY on
 * ProducerLeaseLost (epoch bump + announce, REVOKE-02).
 *
 * Provisioning (file creation, which can fail) happens before an event is sent: the driver puts
 * the new epoch's regions in `stream.pending`, and the transition's effect adopts them. A
 * failure therefore never leaves a machine half-way through a transition. A producer's first
 * attach to an UNCLAIMED stream goes straight to PRODUCER_ATTACHED with one epoch, not two
 * (DRIVER_RULES D12). READY and PRODUCER_ATTACHED announce on entry, so every change is
 * announced exactly once (ANNOUNCE-02), after the bump.
 */
import { defineMachine, payload } from '../../hsm/index.js';
import type { StreamRecord } from '../records.js';

/** Makes the pending epoch current (EPOCH-08/10). */
const adopt = (s: StreamRecord): void => {
  const previous = s.epoch;
  const next = s.pending;
  s.pending = null;
  s.regions = next;
  if (next !== null) s.epoch = next.epoch;
  s.owner.epochAdopted(s, previous);
};
const announce = (s: StreamRecord): void => s.owner.queueAnnounce(s);
const hasPending = (s: StreamRecord): boolean => s.pending !== null;

export const StreamHsm = defineMachine<StreamRecord>('StreamHsm')
  .events({ Provision: payload(), ProducerAttach: payload(), ProducerLeaseLost: payload(), RegionsLost: payload() })
  .states(
    {
      UNCLAIMED: {},
      READY: {},
      PRODUCER_ATTACHED: {},
      /** After the producer or the regions are lost: READY on the freshly provisioned epoch, or UNCLAIMED if provisioning failed. */
      AfterProducer: { kind: 'choice' },
    },
    { initial: 'UNCLAIMED' },
  )
  .build({
    UNCLAIMED: {
      on: {
        Provision: { target: 'READY', effect: adopt },
        ProducerAttach: { target: 'PRODUCER_ATTACHED', effect: adopt },
      },
    },
    READY: {
      entry: announce,
      on: {
        ProducerAttach: { target: 'PRODUCER_ATTACHED', effect: adopt },
        // The current epoch's files were deleted or truncated with no producer to revoke: the
        // same choice as after a lost producer (a fresh epoch, or UNCLAIMED if none could be made).
        RegionsLost: 'AfterProducer',
      },
    },
    PRODUCER_ATTACHED: {
      entry: announce,
      exit: (s) => void (s.producer = null),
      on: { ProducerLeaseLost: 'AfterProducer' },
    },
    AfterProducer: {
      branches: [
        { guard: hasPending, target: 'READY', effect: adopt },
        // No files for a new epoch: stop announcing the old one (consumers fail closed) and
        // provision again on the next attach.
        { else: 'UNCLAIMED', effect: (s) => void (s.regions = null) },
      ],
    },
  });

export const StreamEvents = StreamHsm.events;
export const StreamStates = StreamHsm.states;
