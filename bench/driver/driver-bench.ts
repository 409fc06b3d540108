/**
 * `npm run bench -- driver`: the embedded driver's hot paths.
 * - Keepalive handling (decode + validate + lease machine + expiry update) with 1k and 100k
 *   leases, against a baseline that decodes the same bytes with raw DataView calls and updates
 *   a Map of plain records (what the work costs with no codec, no machines).
 * - One lease check (Tick) with 1k and 100k leases, none expiring, and with 1% expiring.
 * - Heap per lease with 100k leases.
 */
import { getHeapStatistics } from 'node:v8';
import { ManualClock } from '../../src/driver/clock.js';
import { loadConfig } from '../../src/driver/config/index.js';
import { Driver } from '../../src/driver/driver.js';
import type { ProfileConfig } from '../../src/driver/config/driver-config.js';
import type { ProvisionedEpoch, ShmBackend } from '../../src/driver/shm-backend.js';
import { HugepagesPolicy, Role, ShmAttachRequestEncoder, ShmLeaseKeepaliveEncoder } from '../../src/sbe/index.js';
import { allocatedPerOp, formatRate, measureInterleaved, printTable, type Loop } from '../lib/measure.js';
import type { SuiteResult } from '../run.js';

class MemoryShm implements ShmBackend {
  provision(streamId: number, epoch: bigint, profile: ProfileConfig): ProvisionedEpoch {
    const dir = `/dev/shm/bench/${streamId}/${epoch}`;
    return {
      streamId,
      epoch,
      header: { uri: `shm:file?path=${dir}/header.ring`, nslots: profile.headerNslots },
      pools: profile.payloadPools.map((p) => ({ poolId: p.poolId, strideBytes: p.strideBytes, nslots: profile.headerNslots, uri: `shm:file?path=${dir}/${p.poolId}.pool` })),
    };
  }
  highestEpochOnDisk(): bigint {
    return 0n;
  }
  collect(): void {}
  collectAll(): void {}
  removeEpoch(): void {}
}

const KEEPALIVE_LEN = 33;

interface Fleet {
  readonly driver: Driver;
  readonly clock: ManualClock;
  /** Every lease's keepalive, back to back. */
  readonly keepalives: Uint8Array;
  readonly n: number;
}

function fleet(n: number): Fleet {
  const config = loadConfig({ env: { USER: 'bench' }, overrides: { 'policies.lease_expiry_grace_intervals': 3600 } });
  const clock = new ManualClock();
  const driver = new Driver({ config, shm: new MemoryShm(), sink: { send: () => undefined }, clock: clock.read }).start();
  const req = new Uint8Array(64);
  const enc = new ShmAttachRequestEncoder();
  const keepalives = new Uint8Array(n * KEEPALIVE_LEN);
  const ka = new ShmLeaseKeepaliveEncoder();
  for (let i = 0; i < n; i++) {
    const len = enc.wrapAndApplyHeader(req).correlationIdNumber(i + 1).streamId(10000).clientId(i + 1).role(Role.CONSUMER)
      .expectedLayoutVersion(0).publishMode(null).requireHugepages(HugepagesPolicy.UNSPECIFIED).desiredNodeId(null).finish();
    driver.receive(1, req, 0, len);
    ka.wrapAndApplyHeader(keepalives, i * KEEPALIVE_LEN).leaseIdNumber(i + 1).streamId(10000).clientId(i + 1).role(Role.CONSUMER).clientTimestampNsNumber(0).finish();
  }
  return { driver, clock, keepalives, n };
}

function keepaliveLoop(f: Fleet): Loop {
  let i = 0;
  return (count) => {
    const { driver, keepalives, n } = f;
    driver.updateTime(); // once per batch, as a transport does per socket read
    for (let k = 0; k < count; k++) {
      driver.receive(1, keepalives, i * KEEPALIVE_LEN, KEEPALIVE_LEN);
      if (++i === n) i = 0;
    }
  };
}

/** Baseline: the same bytes, decoded with DataView, validated against a Map of plain records. */
function baselineLoop(n: number, keepalives: Uint8Array): Loop {
  interface Rec { streamId: number; clientId: number; role: number; expiryNs: number }
  const leases = new Map<number, Rec>();
  for (let i = 0; i < n; i++) leases.set(i + 1, { streamId: 10000, clientId: i + 1, role: 2, expiryNs: 0 });
  const view = new DataView(keepalives.buffer, keepalives.byteOffset, keepalives.byteLength);
  let i = 0;
  let now = 1e9;
  return (count) => {
    for (let k = 0; k < count; k++) {
      const o = i * KEEPALIVE_LEN;
      if (view.getUint16(o + 2, true) === 5 && view.getUint16(o + 4, true) === 901) {
        const id = Number(view.getBigUint64(o + 8, true));
        const r = leases.get(id);
        if (r !== undefined && r.streamId === view.getUint32(o + 16, true) && r.clientId === view.getUint32(o + 20, true) && r.role === view.getUint8(o + 24)) {
          r.expiryNs = now + 3e9;
        }
      }
      now += 1;
      if (++i === n) i = 0;
    }
  };
}

function timeTicks(f: Fleet, ticks: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ticks; i++) {
    f.clock.nowNs += 1_000; // 1 µs per tick: nothing becomes due
    f.driver.tick();
  }
  return Number(process.hrtime.bigint() - t0) / ticks;
}

/** A check where 1% of the leases are due: their deadlines are forced into the past. */
function timeExpiringCheck(n: number): number {
  const f = fleet(n);
  // Leases live 1 h (grace 3600 × 1 s). Half an hour in, 99% send a keepalive (their expiry
  // moves to 1.5 h); at 1.25 h only the other 1% are past their deadline.
  const hour = 3600e9;
  f.clock.nowNs += hour / 2;
  const dueEvery = 100;
  f.driver.updateTime();
  for (let i = 0; i < n; i++) if (i % dueEvery !== 0) f.driver.receive(1, f.keepalives, i * KEEPALIVE_LEN, KEEPALIVE_LEN);
  f.clock.nowNs += hour * 0.75;
  const t0 = process.hrtime.bigint();
  f.driver.tick();
  const dt = Number(process.hrtime.bigint() - t0);
  const left = f.driver.snapshot().leases.length;
  if (left !== n - Math.ceil(n / dueEvery)) throw new Error(`expected ${n - n / dueEvery} leases left, got ${left}`);
  return dt;
}

function heapPerLease(n: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = getHeapStatistics().used_heap_size;
  const f = fleet(n);
  gc?.();
  const after = getHeapStatistics().used_heap_size;
  if (f.driver.snapshot().leases.length !== n) throw new Error('fleet incomplete');
  return (after - before) / n;
}

export async function run(): Promise<SuiteResult> {
  const quick = process.env['TP_BENCH_QUICK'] === '1';
  const big = quick ? 20_000 : 100_000;
  const opts = { ops: quick ? 200_000 : 2_000_000, rounds: quick ? 2 : 7, allocOps: quick ? 100_000 : 1_000_000 };
  const small = fleet(1_000);
  const large = fleet(big);
  const [d1k, b1k, d100k, b100k] = measureInterleaved(
    [
      ['driver 1k', keepaliveLoop(small)],
      ['baseline 1k', baselineLoop(1_000, small.keepalives)],
      [`driver ${big / 1000}k`, keepaliveLoop(large)],
      [`baseline ${big / 1000}k`, baselineLoop(big, large.keepalives)],
    ],
    opts,
  ) as [ReturnType<typeof measureInterleaved>[0], ReturnType<typeof measureInterleaved>[0], ReturnType<typeof measureInterleaved>[0], ReturnType<typeof measureInterleaved>[0]];
  console.log('\nDriver keepalive handling (decode + validate + lease machine + expiry update)\n');
  printTable(
    ['leases', 'driver', 'B/keepalive', 'raw DataView + Map baseline', 'driver/baseline'],
    [
      ['1k', formatRate(d1k.opsPerSec), d1k.bytesPerOp.toFixed(2), formatRate(b1k.opsPerSec), `${(d1k.opsPerSec / b1k.opsPerSec).toFixed(2)}x`],
      [`${big / 1000}k`, formatRate(d100k.opsPerSec), d100k.bytesPerOp.toFixed(2), formatRate(b100k.opsPerSec), `${(d100k.opsPerSec / b100k.opsPerSec).toFixed(2)}x`],
    ],
  );

  const ticks = quick ? 20_000 : 200_000;
  timeTicks(small, ticks);
  timeTicks(large, ticks);
  const tick1k = timeTicks(small, ticks);
  const tick100k = timeTicks(large, ticks);
  const tickAlloc = allocatedPerOp((k) => {
    for (let i = 0; i < k; i++) {
      large.clock.nowNs += 1_000;
      large.driver.tick();
    }
  }, quick ? 20_000 : 200_000).bytesPerOp;
  const expiring = timeExpiringCheck(big);
  console.log('\nLease check (Tick)\n');
  printTable(
    ['case', 'time per check'],
    [
      ['1k leases, none expire', `${tick1k.toFixed(0)} ns`],
      [`${big / 1000}k leases, none expire`, `${tick100k.toFixed(0)} ns (${(tick100k / tick1k).toFixed(2)}x the 1k check; ${tickAlloc.toFixed(2)} B/check)`],
      [`${big / 1000}k leases, 1% expire`, `${(expiring / 1e6).toFixed(2)} ms (${(expiring / (big / 100) / 1000).toFixed(2)} µs per expired lease)`],
    ],
  );
  const perLease = heapPerLease(big);
  console.log(`\nHeap per lease with ${big / 1000}k leases: ${perLease.toFixed(0)} B (must be <= 2048)`);
  return {
    suite: 'driver',
    results: { keepalive: { d1k, b1k, d100k, b100k }, tickNs: { tick1k, tick100k, tickAlloc }, expiringCheckNs: expiring, heapPerLease: perLease },
  };
}
