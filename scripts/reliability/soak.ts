/**
 * `npm run reliability -- soak [options]`: the long load-and-soak run of issue #7 (soak-core.ts
 * has what it does and checks; docs/reliability/soak.md has figures). Exit 0 when every
 * invariant held, 1 when one did not, 2 for bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_SOAK_OPTIONS, formatSoak, runSoak, type SoakOptions } from './soak-core.js';
import { integerOption } from './integer-option.js';

const HELP = `Usage: npm run reliability -- soak [--clients N] [--fleets N] [--attach-batch N] [--streams N] [--keepalive-ms N]
         [--grace N] [--announce-ms N] [--duration-s N] [--warmup-s N] [--no-memory-check] [--json FILE]

A real tensorpool driver process and N real DriverClients in F client processes, each client on
its own connection holding one lease (one producer per stream, the rest consumers) and sending a
keepalive every --keepalive-ms. The driver's status document is sampled every second for
--duration-s after --warmup-s; then every client detaches and the driver is stopped.
Passes when no lease is lost, all N are held throughout, the driver's heap after a forced GC
grows by at most max(4 MiB, 10 %) and the shutdown leaves zero leases.

Options (defaults):
  --clients N         ${DEFAULT_SOAK_OPTIONS.clients}
  --fleets N          client processes (${DEFAULT_SOAK_OPTIONS.fleets})
  --attach-batch N    attaches in flight per client process while ramping up (${DEFAULT_SOAK_OPTIONS.attachBatch})
  --streams N         producer streams, at most 1000 (${DEFAULT_SOAK_OPTIONS.streams})
  --keepalive-ms N    client keepalive and driver policies.lease_keepalive_interval_ms (${DEFAULT_SOAK_OPTIONS.keepaliveMs})
  --grace N           policies.lease_expiry_grace_intervals (${DEFAULT_SOAK_OPTIONS.graceIntervals})
  --announce-ms N     policies.announce_period_ms (${DEFAULT_SOAK_OPTIONS.announcePeriodMs})
  --duration-s N      measured soak (${DEFAULT_SOAK_OPTIONS.durationS})
  --warmup-s N        settle time after the attach burst (${DEFAULT_SOAK_OPTIONS.warmupS})
  --no-memory-check   report memory but do not fail on growth
  --json FILE         also write every figure and sample as JSON`;

/** A count option: an integer ≥ `min` (default 1). */
const count = (name: string, text: string | undefined, fallback: number, min = 1): number => integerOption(name, text, fallback, min);

export async function main(argv: readonly string[]): Promise<number> {
  let options: SoakOptions;
  let json: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        clients: { type: 'string' },
        fleets: { type: 'string' },
        'attach-batch': { type: 'string' },
        streams: { type: 'string' },
        'keepalive-ms': { type: 'string' },
        grace: { type: 'string' },
        'announce-ms': { type: 'string' },
        'duration-s': { type: 'string' },
        'warmup-s': { type: 'string' },
        'no-memory-check': { type: 'boolean' },
        json: { type: 'string' },
      },
    });
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    const d = DEFAULT_SOAK_OPTIONS;
    options = {
      ...d,
      clients: count('clients', values.clients, d.clients),
      fleets: count('fleets', values.fleets, d.fleets),
      attachBatch: count('attach-batch', values['attach-batch'], d.attachBatch),
      streams: count('streams', values.streams, d.streams),
      keepaliveMs: count('keepalive-ms', values['keepalive-ms'], d.keepaliveMs),
      graceIntervals: count('grace', values.grace, d.graceIntervals),
      announcePeriodMs: count('announce-ms', values['announce-ms'], d.announcePeriodMs),
      durationS: count('duration-s', values['duration-s'], d.durationS),
      warmupS: count('warmup-s', values['warmup-s'], d.warmupS, 0),
      checkMemory: values['no-memory-check'] !== true,
      log: (line) => console.log(`  ${line}`),
    };
    json = values.json;
  } catch (e) {
    console.error(`soak: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  const result = await runSoak(options);
  for (const line of formatSoak(result)) console.log(line);
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  return result.failures.length === 0 ? 0 : 1;
}
