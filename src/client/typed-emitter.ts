/**
 * A small typed event emitter: the event map names each event and its argument tuple, so a
 * wrong event name or a handler of the wrong shape is a compile error
 * (test/client/types/typed-emitter.type-test.ts).
 */

/** Event name → the arguments its handlers receive. */
export type EventArgs<E> = { readonly [K in keyof E]: readonly unknown[] };

export type Listener<A extends readonly unknown[]> = (...args: A) => void;

/** How handlers are stored: the map's key decides their real argument types. */
type AnyListener = (...args: readonly unknown[]) => void;

export class TypedEmitter<E extends EventArgs<E>> {
  private readonly listeners = new Map<keyof E, AnyListener[]>();

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as unknown as AnyListener);
    this.listeners.set(event, list);
    return () => this.off(event, listener);
  }

  /** Adds a handler that runs at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, ((...args: E[K]) => {
      off();
      listener(...args);
    }) as Listener<E[K]>);
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    const i = list.indexOf(listener as unknown as AnyListener);
    if (i >= 0) list.splice(i, 1);
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls every handler of `event` in order. A handler that throws does not stop the others
   * nor the caller (the client emits from inside its state machine steps, which must run to
   * completion): the error is rethrown from a microtask, where it surfaces as uncaught.
   */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined || list.length === 0) return;
    for (const l of [...list]) {
      try {
        l(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
