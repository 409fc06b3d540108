/**
 * LeaseHsm, one per lease, as the seed sketches it: UNATTACHED → ACTIVE on AttachOk; Keepalive
 * extends the expiry; LeaseTimeout → EXPIRED, Detach → DETACHED, Revoke → REVOKED, each
 * revoking through the driver (REVOKE-01). Events carry no payload: the time is the driver's
 * `nowNs`, so a keepalive passes no boxed number and allocates nothing.
 */
import { HANDLED, defineMachine, payload } from '../../hsm/index.js';
import { LeaseRevokeReason } from '../../sbe/index.js';
import type { LeaseRecord } from '../records.js';

const revokeAs = (reason: LeaseRevokeReason) => (l: LeaseRecord) => l.owner.revokeLease(l, reason);

export const LeaseHsm = defineMachine<LeaseRecord>('LeaseHsm')
  .events({
    AttachOk: payload(),
    AttachReject: payload(),
    Keepalive: payload(),
    LeaseTimeout: payload(),
    Detach: payload(),
    Revoke: payload(),
  })
  .states({ UNATTACHED: {}, ACTIVE: {}, EXPIRED: {}, REVOKED: {}, DETACHED: {}, DISCARDED: {} }, { initial: 'UNATTACHED' })
  .build({
    UNATTACHED: {
      on: {
        AttachOk: 'ACTIVE',
        // A rejected attach never became a lease; its id stays consumed (IDENTITY-01).
        AttachReject: 'DISCARDED',
      },
    },
    ACTIVE: {
      // Expiry is initialised on entry (KEEPALIVE-06) ...
      entry: (l) => l.owner.refreshExpiry(l),
      on: {
        // ... and recomputed from now on every valid keepalive (KEEPALIVE-02).
        Keepalive: (l) => (l.owner.refreshExpiry(l), HANDLED),
        // Effects run after ACTIVE's exit, before the target's entry (UML order).
        LeaseTimeout: { target: 'EXPIRED', effect: revokeAs(LeaseRevokeReason.EXPIRED) },
        Detach: { target: 'DETACHED', effect: revokeAs(LeaseRevokeReason.DETACHED) },
        Revoke: { target: 'REVOKED', effect: revokeAs(LeaseRevokeReason.REVOKED) },
      },
    },
  });

export const LeaseEvents = LeaseHsm.events;
export const LeaseStates = LeaseHsm.states;
