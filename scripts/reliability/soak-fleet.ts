/**
 * One soak client process: many real DriverClients, each on its own control connection holding
 * one lease, all keeping alive at the same interval. Driven by the soak parent (soak-core.ts)
 * over stdin, reporting on stdout as JSON lines, so the parent waits for lines, never sleeps:
 *
 *   {"event":"ready","pid":…}
 *   stdin `attach producer` / `attach consumer` → every client of that role attaches, at most
 *     --attach-batch at a time, then {"event":"attached-all","role":…,"count":…,"ms":…}
 *     (or "attach-error", exit 1)
 *   {"event":"lease","kind":…,"client":…,…}   EVERY lease event of every client, as it happens
 *   {"event":"tick",…}                         once a second: clients attached, keepalives sent,
 *                                              this process's event-loop delay, CPU and memory
 *   stdin `detach` → every client detaches, --attach-batch at a time (a detach costs the driver
 *     a revoke notice to every connection, as an attach costs an announce)
 *     → {"event":"detached-all","count":…,"ms":…}
 *   stdin `exit` or end of stdin → close all clients and exit 0 (a dead parent takes us along)
 *
 * Usage: soak-fleet.js --channel unix:<path> --keepalive-ms N --first-client-id N --attach-batch N --plan P
 *   where P is comma-separated `p<stream>` / `c<stream>` entries, one per client.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DriverClient, type LeaseRole } from '../../src/client/index.js';
import { processFigures, startEventLoopMonitor } from '../../src/transport/process-figures.js';
import { connectUnix } from '../../src/transport/unix-socket-client.js';
import { parsePlan, type PlannedClient } from './soak-plan.js';

const { values } = parseArgs({
  strict: true,
  options: {
    channel: { type: 'string' },
    'keepalive-ms': { type: 'string', default: '1000' },
    'announce-period-ms': { type: 'string', default: '1000' },
    'first-client-id': { type: 'string', default: '1' },
    'attach-batch': { type: 'string', default: '25' },
    plan: { type: 'string', default: '' },
  },
});
const channel = values.channel;
if (channel === undefined) {
  process.stderr.write('soak-fleet: --channel unix:<path> is required\n');
  process.exit(64);
}

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}

interface Member {
  readonly index: number;
  readonly plan: PlannedClient;
  readonly client: DriverClient;
}

const plan = parsePlan(values.plan);
/** Attaches (and detaches) in flight at once. */
const batch = Math.max(1, Number(values['attach-batch']));
const firstId = Number(values['first-client-id']);
const members: Member[] = plan.map((p, index) => {
  const client = new DriverClient({
    connect: () => connectUnix(channel, { timeoutMs: 10_000 }),
    // Fixed distinct ids: an auto-assigned collision (IDENTITY-05) would be noise in the figures.
    clientId: firstId + index,
    keepaliveIntervalMs: Number(values['keepalive-ms']),
    announcePeriodMs: Number(values['announce-period-ms']),
    // The attach burst costs the driver N² writes (an announce to every connection per attach,
    // ATTACH-17): tens of seconds at N = 1000. A client that gave up meanwhile would abandon a
    // request the driver still grants, and its retry would be refused "client_id already
    // attached" (see docs/reliability/soak.md). A stream socket loses nothing, so no resends.
    attachTimeoutMs: 170_000,
    attachResendIntervalMs: 0,
  });
  return { index, plan: p, client };
});

// Every lease event, as it happens: the parent decides which ones are spurious.
for (const m of members) {
  const c = m.client;
  const at = { client: m.index, clientId: c.clientId, streamId: m.plan.streamId, role: m.plan.role };
  c.on('attached', (l) => emit('lease', { kind: 'attached', ...at, leaseId: l.leaseId }));
  c.on('lease-lost', (l, cause) => emit('lease', { kind: 'lease-lost', ...at, leaseId: l.leaseId, cause: cause.kind, ...(cause.kind === 'revoked' ? { reason: cause.reason } : {}) }));
  c.on('revoked', (l, reason) => emit('lease', { kind: 'revoked', ...at, leaseId: l.leaseId, reason }));
  c.on('detached', (l) => emit('lease', { kind: 'detached', ...at, leaseId: l.leaseId }));
  c.on('shutdown', (reason, message) => emit('lease', { kind: 'shutdown', ...at, reason, message }));
  c.on('disconnected', (cause) => emit('lease', { kind: 'disconnected', ...at, message: cause?.message ?? null }));
  c.on('protocol-error', (e) => emit('lease', { kind: 'protocol-error', ...at, message: e.message }));
  c.on('attach-failed', (e) => emit('lease', { kind: 'attach-failed', ...at, message: e.errorMessage }));
  c.on('client-id-changed', (id, previous) => emit('lease', { kind: 'client-id-changed', ...at, newClientId: id, previous }));
  c.on('producer-revoked', (streamId) => emit('lease', { kind: 'producer-revoked', ...at, revokedStream: streamId }));
  c.on('announce-timeout', (t) => emit('lease', { kind: 'announce-timeout', ...at, waitedMs: t.waitedMs }));
}

async function attachAll(role: LeaseRole): Promise<void> {
  const t0 = performance.now();
  const chosen = members.filter((m) => m.plan.role === role);
  try {
    for (let i = 0; i < chosen.length; i += batch) {
      await Promise.all(chosen.slice(i, i + batch).map((m) => m.client.attach({ streamId: m.plan.streamId, role })));
    }
  } catch (e) {
    emit('attach-error', { role, message: (e as Error).message });
    process.exit(1);
  }
  emit('attached-all', { role, count: chosen.length, ms: Math.round(performance.now() - t0) });
}

async function detachAll(): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < members.length; i += batch) await Promise.all(members.slice(i, i + batch).map((m) => m.client.detach()));
  emit('detached-all', { count: members.length, ms: Math.round(performance.now() - t0) });
}

startEventLoopMonitor(10, 1000);
const tick = setInterval(() => {
  let attached = 0;
  let keepalives = 0;
  for (const m of members) {
    if (m.client.state === 'Attached') attached++;
    keepalives += m.client.counters.keepalivesSent;
  }
  const p = processFigures();
  emit('tick', {
    attached,
    keepalivesSent: keepalives,
    loopP99Ms: p.eventLoop?.lastWindow?.p99Ms ?? null,
    loopMaxMs: p.eventLoop?.lastWindow?.maxMs ?? null,
    cpuMs: p.cpu.userMs + p.cpu.systemMs,
    rss: p.memory.rss,
    heapUsed: p.memory.heapUsed,
  });
}, 1000);

function exit(): never {
  clearInterval(tick);
  for (const m of members) m.client.close();
  process.exit(0);
}

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'attach' && (arg === 'producer' || arg === 'consumer')) void attachAll(arg);
  else if (cmd === 'detach') void detachAll();
  else if (cmd === 'exit') exit();
});
commands.on('close', exit);
emit('ready', { pid: process.pid, clients: members.length });
