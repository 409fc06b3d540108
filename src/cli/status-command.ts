/** `tensorpool status`: ask a running driver for its state over the admin query (TRANSPORT.md §5). */
import { requestStatus } from '../transport/admin-client.js';
import type { DelayStats, ProcessFigures } from '../transport/process-figures.js';
import type { StatusDocument } from '../transport/status-document.js';
import { connectUnix } from '../transport/unix-socket-client.js';
import { EXIT_OK } from './cli-errors.js';
import { parseArgs } from 'node:util';
import { HELP_OPTION, parseCommandArgs, parseCount, type Command } from './command.js';
import { formatTable } from './format-table.js';
import { resolveChannel } from './resolve-channel.js';

const MIB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;
const delays = (d: DelayStats): string => `p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms, max ${d.maxMs.toFixed(2)} ms`;

/** The driver process's memory, CPU and event-loop delay, two lines. */
export function formatProcess(p: ProcessFigures): string[] {
  const m = p.memory;
  const loop = p.eventLoop;
  return [
    `memory rss ${mib(m.rss)}, heap ${mib(m.heapUsed)} used of ${mib(m.heapTotal)}, external ${mib(m.external)}; cpu ${(p.cpu.userMs / 1000).toFixed(1)} s user, ${(p.cpu.systemMs / 1000).toFixed(1)} s system`,
    loop === null
      ? 'event-loop delay: not monitored'
      : `event-loop delay ${delays(loop.sinceStart)} since start` +
        (loop.lastWindow === null ? '' : `; last ${(loop.windowMs / 1000).toFixed(0)} s: ${delays(loop.lastWindow)}`),
  ];
}

export function formatStatus(s: StatusDocument): string {
  const d = s.driver;
  const out: string[] = [
    `driver ${d.instanceId}: ${d.state}, namespace ${d.namespace}, pid ${d.pid}, up ${(d.uptimeMs / 1000).toFixed(1)} s`,
    `channel ${d.channel}, ${s.totals.connections} connection(s)`,
    ...formatProcess(s.process),
    '',
  ];
  if (s.streams.length === 0) out.push('no streams');
  else {
    out.push(
      formatTable(
        ['STREAM', 'STATE', 'EPOCH', 'PRODUCER', 'CONSUMERS', 'DYNAMIC'],
        s.streams.map((st) => [String(st.streamId), st.state, st.epoch, st.producerClientId === 0 ? '-' : String(st.producerClientId), String(st.consumers), st.dynamic ? 'yes' : 'no']),
      ),
    );
    for (const st of s.streams) {
      if (st.headerUri !== null) out.push(`  ${st.streamId} header ${st.headerUri}`);
      for (const uri of st.poolUris) out.push(`  ${st.streamId} pool   ${uri}`);
    }
  }
  out.push('');
  if (s.leases.length === 0) out.push('no leases');
  else {
    out.push(
      formatTable(
        ['LEASE', 'CLIENT', 'ROLE', 'STREAM', 'NODE', 'EXPIRES IN', 'CONNECTION'],
        s.leases.map((l) => [String(l.leaseId), String(l.clientId), l.role, String(l.streamId), String(l.nodeId), `${l.expiresInMs} ms`, String(l.connection)]),
      ),
    );
  }
  if (s.truncated) out.push(`(truncated to fit one response: ${s.totals.streams} streams, ${s.totals.leases} leases in all; use --json for totals)`);
  out.push('');
  const counters = (name: string, c: Readonly<Record<string, number>>): string => {
    const set = Object.entries(c).filter(([, v]) => v !== 0);
    return `${name} counters: ${set.length === 0 ? 'all zero' : set.map(([k, v]) => `${k}=${v}`).join(' ')}`;
  };
  out.push(counters('driver', s.counters.driver), counters('transport', s.counters.transport));
  return out.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show a running driver's state, streams, leases and counters",
  help: `Usage: tensorpool status [--control CHANNEL] [--config FILE] [--json] [--timeout MS]

Connects to a running driver and prints its lifecycle state, its process's memory, CPU time
and event-loop delay (p50/p99/max), streams (id, state, epoch, producer, consumer count,
region URIs), leases (id, client, role, stream, node, time to expiry) and counters.
Connecting is harmless: the status connection holds no lease.

Options:
  --control CHANNEL    the driver's channel, unix:<absolute path>. Default: the channel a driver
                       started with this environment would use (DRIVER_CONTROL_CHANNEL, or
                       <SHM_BASE_DIR>/tensorpool-<user>/<SHM_NAMESPACE>/control.sock)
  --config FILE        take the default channel from this driver configuration file
  --json               print the status document as JSON (docs/TRANSPORT.md §5)
  --timeout MS         give up after MS milliseconds (default 5000)
  -h, --help           show this help

Exit codes: 0 printed, 1 no driver or no answer, 2 bad arguments.`,

  async run(argv) {
    const { values } = parseCommandArgs('status', () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: {
          ...HELP_OPTION,
          control: { type: 'string' },
          config: { type: 'string' },
          json: { type: 'boolean' },
          timeout: { type: 'string' },
        },
      }),
    );
    if (values.help === true) {
      process.stdout.write(`${statusCommand.help}\n`);
      return EXIT_OK;
    }
    const timeoutMs = parseCount('timeout', values.timeout, 5000);
    const channel = resolveChannel(values.control, values.config);
    const conn = await connectUnix(channel, { timeoutMs });
    try {
      const status = await requestStatus(conn, timeoutMs);
      process.stdout.write(values.json === true ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
    } finally {
      conn.close();
    }
    return EXIT_OK;
  },
};
