/**
 * Per-consumer descriptor and control stream ids (STREAMID-02..04, PERCONSUMER-06): assigned
 * from their ranges, reused for the same consumer, released when its lease ends (REVOKE-11).
 * No range or an exhausted one declines that kind (id 0, empty channel; PERCONSUMER-02).
 */
import type { IdRange } from './config/driver-config.js';
import { IdRangeAllocator } from './id-range-allocator.js';

export interface PerConsumerGrant {
  readonly descriptorStreamId: number;
  readonly controlStreamId: number;
}

interface Assignment {
  descriptor: number;
  control: number;
}

export class PerConsumerStreams {
  /** key `${consumerId}:${streamId}` → ids (0 = none). */
  private readonly byConsumer = new Map<string, Assignment>();
  private readonly usedDescriptor = new Set<number>();
  private readonly usedControl = new Set<number>();
  private readonly descriptor: IdRangeAllocator | null;
  private readonly control: IdRangeAllocator | null;

  constructor(descriptorRange: IdRange | null, controlRange: IdRange | null) {
    this.descriptor = descriptorRange === null ? null : new IdRangeAllocator(descriptorRange, (id) => this.usedDescriptor.has(id));
    this.control = controlRange === null ? null : new IdRangeAllocator(controlRange, (id) => this.usedControl.has(id));
  }

  assign(consumerId: number, streamId: number, wantDescriptor: boolean, wantControl: boolean): PerConsumerGrant {
    const key = `${consumerId}:${streamId}`;
    let a = this.byConsumer.get(key);
    if (a === undefined) {
      a = { descriptor: 0, control: 0 };
      this.byConsumer.set(key, a);
    }
    if (wantDescriptor && a.descriptor === 0 && this.descriptor !== null) {
      const id = this.descriptor.next();
      if (id > 0) {
        a.descriptor = id;
        this.usedDescriptor.add(id);
      }
    }
    if (wantControl && a.control === 0 && this.control !== null) {
      const id = this.control.next();
      if (id > 0) {
        a.control = id;
        this.usedControl.add(id);
      }
    }
    return { descriptorStreamId: wantDescriptor ? a.descriptor : 0, controlStreamId: wantControl ? a.control : 0 };
  }

  release(consumerId: number, streamId: number): void {
    const key = `${consumerId}:${streamId}`;
    const a = this.byConsumer.get(key);
    if (a === undefined) return;
    this.usedDescriptor.delete(a.descriptor);
    this.usedControl.delete(a.control);
    this.byConsumer.delete(key);
  }
}
