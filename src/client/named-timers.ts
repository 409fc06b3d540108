/** One-shot timers by name on an injected Scheduler: arming a name again replaces its timer. */
import type { Scheduler, TimerHandle } from './scheduler.js';

export class NamedTimers<K extends string> {
  private readonly handles = new Map<K, TimerHandle>();

  constructor(private readonly scheduler: Scheduler) {}

  arm(name: K, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      this.scheduler.setTimeout(() => {
        this.handles.delete(name);
        fn();
      }, ms),
    );
  }

  clear(name: K): void {
    const h = this.handles.get(name);
    if (h === undefined) return;
    this.scheduler.clearTimeout(h);
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const h of this.handles.values()) this.scheduler.clearTimeout(h);
    this.handles.clear();
  }
}
