/**
 * Type tests of the client's events: a wrong event name or a handler of the wrong shape is a
 * compile error. Type-checked by `tsc -p tsconfig.json` (part of `npm test`); never run: each
 * `// @ts-expect-error` must see an error on the next line or tsc fails the build.
 */
import { TypedEmitter, type DriverClient, type Lease } from '../../../src/client/index.js';

type Events = { ping: [n: number]; pair: [s: string, ok: boolean]; none: [] };

export function emitterChecks(e: TypedEmitter<Events>): void {
  e.on('ping', (n) => void n.toFixed());
  e.on('pair', (s, ok) => void (s.length + Number(ok)));
  e.on('none', () => undefined);
  e.on('pair', (s) => void s); // fewer parameters are fine, as with any callback
  e.emit('ping', 1);
  e.emit('none');

  // @ts-expect-error unknown event name
  e.on('pong', () => undefined);
  // @ts-expect-error wrong parameter type
  e.on('ping', (n: string) => void n);
  // @ts-expect-error more parameters than the event has
  e.on('ping', (n: number, extra: number) => void (n + extra));
  // @ts-expect-error wrong payload type
  e.emit('ping', 'one');
  // @ts-expect-error missing payload
  e.emit('pair', 'x');
  // @ts-expect-error payload for an event without one
  e.emit('none', 1);
}

export function clientChecks(c: DriverClient): void {
  c.on('attached', (lease: Lease) => void lease.leaseId);
  c.on('lease-lost', (lease, cause) => void (cause.kind === 'revoked' ? cause.reason : lease.streamId));
  c.on('revoked', (_lease, reason) => {
    const r: 'DETACHED' | 'EXPIRED' | 'REVOKED' = reason;
    void r;
  });
  c.on('shutdown', (reason, message) => void (reason.toFixed() + message));
  c.on('epoch-changed', (e) => void (e.epoch > 0n));

  // @ts-expect-error not an event of the client
  c.on('attach', () => undefined);
  // @ts-expect-error `attached` passes a Lease, not a number
  c.on('attached', (lease: number) => void lease);
  // @ts-expect-error `revoked` reasons are names, not numbers
  c.on('revoked', (_lease: Lease, reason: number) => void reason);
  // @ts-expect-error the emitter is not part of the client's API
  c.emit('attached');
}
