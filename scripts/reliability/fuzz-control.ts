/**
 * `npm run reliability -- fuzz [options]`: the control-plane fuzzing run of issue #7
 * (fuzz/fuzz-run.ts has what it does and checks; docs/reliability/fuzz.md has figures). Exit 0
 * when every invariant held, 1 when one did not, 2 for bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatFuzz } from './fuzz/format-figures.js';
import { DEFAULT_FUZZ_OPTIONS, runFuzz, type FuzzOptions } from './fuzz/fuzz-run.js';
import { integerOption } from './integer-option.js';

const d = DEFAULT_FUZZ_OPTIONS;
const HELP = `Usage: npm run reliability -- fuzz [--frames N] [--seed S] [--connections N] [--clients N]
         [--keep-leases-on-close] [--time-limit-s N] [--json FILE]

Starts a real tensorpool driver process, ${d.goodClients} well-behaved DriverClient processes (a producer and a
consumer on each of two streams) and N fuzzing connections that write batches of generated
frames: random bytes, random headers, valid client messages of schemas 900/901 and the admin
schema with one mutation (every field, enums, block length, template id, schema id, version,
var-data lengths), truncated and concatenated messages, valid attach/keepalive/detach of the
fuzzer's own leases, and framing breakers (prefixes 0, 1..7, > 64 KiB, 0xFFFFFFFF, unframed bytes,
cut frames) after which the fuzzer reconnects. The driver's status is sampled throughout.
Passes when the driver stays up, every invariant holds (one producer per stream, lease table
consistent with the stream machines, epochs monotonic, no internal errors, no lease left after
everyone left) and the good clients saw nothing but other leases' broadcasts.

Options (defaults):
  --frames N               length-prefixed frames to write (${d.frames})
  --seed S                 PRNG seed; a failure is replayed with the same seed (${d.seed}; 'random' picks one)
  --connections N          fuzzing connections at once (${d.connections})
  --clients N              well-behaved clients, 1..4 (${d.goodClients})
  --keep-leases-on-close   policies.revoke_on_disconnect=false: fuzz leases end by keepalive expiry
  --time-limit-s N         fail if the frames are not written by then (${d.timeLimitMs / 1000})
  --json FILE              also write the figures and violations as JSON`;

const int = integerOption;

export async function main(argv: readonly string[]): Promise<number> {
  let options: FuzzOptions;
  let json: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        frames: { type: 'string' },
        seed: { type: 'string' },
        connections: { type: 'string' },
        clients: { type: 'string' },
        'keep-leases-on-close': { type: 'boolean' },
        'time-limit-s': { type: 'string' },
        json: { type: 'string' },
      },
    });
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    const seed = values.seed === 'random' ? Math.floor(Math.random() * 0x1_0000_0000) : int('seed', values.seed, d.seed, 0, 0xffffffff);
    options = {
      ...d,
      frames: int('frames', values.frames, d.frames, 1),
      seed,
      connections: int('connections', values.connections, d.connections, 1, 64),
      goodClients: int('clients', values.clients, d.goodClients, 1, 4),
      revokeOnDisconnect: values['keep-leases-on-close'] !== true,
      timeLimitMs: int('time-limit-s', values['time-limit-s'], d.timeLimitMs / 1000, 1) * 1000,
      progress: (line) => console.log(`  ${line}`),
    };
    json = values.json;
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  console.log(`fuzz: ${options.frames} frames, seed ${options.seed}, ${options.connections} connections, ${options.goodClients} good clients`);
  const report = await runFuzz(options);
  console.log(formatFuzz(report));
  if (json !== undefined) writeFileSync(json, `${JSON.stringify({ date: new Date().toISOString(), options: { ...options, progress: undefined }, ...report }, null, 2)}\n`);
  return report.ok ? 0 : 1;
}
