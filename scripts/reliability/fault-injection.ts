/**
 * `npm run reliability -- faults [--rounds N] [--seed S] [--json FILE] [--kinds a,b] [--no-namespace]`
 *
 * Fault injection against a running system (issue 7): a `tensorpool driver` process, a producer
 * and a consumer process; each round injects one fault chosen by a seeded PRNG at a random point
 * and checks the outcome (fault-injection-core.ts). The same seed replays the same sequence of
 * fault kinds and injection points. Exit 0 when every invariant held.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../test/client/client-env.js';
import { FAULT_KINDS, FaultRun, figures, type FaultKind, type Figures } from './fault-injection-core.js';
import { FaultRig } from './fault-rig.js';

const RUN_JS = fileURLToPath(new URL('./run.js', import.meta.url));

/**
 * User + mount namespace for the tmpfs mount, and a PID namespace (with its own /proc) so that
 * when the inner run — PID 1 there — exits or is killed, every driver and client it started is
 * killed with it; --kill-child kills the inner run if `unshare` itself is killed.
 */
const UNSHARE = ['-Urm', '--pid', '--fork', '--mount-proc', '--kill-child'];

const HELP = `usage: npm run reliability -- faults [options]
  --rounds N        rounds, one fault each (default 100)
  --seed S          PRNG seed (default: time-based, printed)
  --kinds a,b,..    fault kinds to draw from (default all: ${FAULT_KINDS.join(', ')})
  --each            take the kinds in turn instead of drawing them (points stay random)
  --no-cli-probe    check errors through the API only, not also through \`tensorpool consume\`
  --json FILE       write the figures and every round as JSON
  --tmpfs-mib N     size of the namespace tmpfs holding the regions (default 64)
  --no-namespace    run without a user namespace (disk-full is skipped)

Disk nearly full needs a small filesystem, and mounting one needs no root inside a user + mount
namespace: unless --no-namespace, the suite re-runs itself as
  unshare -Urm --pid --fork --mount-proc --kill-child sh -c 'mount -t tmpfs -o size=N tmpfs <root>/shm && exec node run.js faults --inside <root> ...'
so the driver, every client and this program share that tmpfs (and die with the namespace).
`;

/** Whether `unshare -Urm` and a tmpfs mount work for this user; the reason when not. */
export function namespaceSupport(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync('unshare', [...UNSHARE, 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { encoding: 'utf8', timeout: 5000 });
  if (r.error !== undefined) return { ok: false, reason: `unshare: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `unshare -Urm + mount tmpfs failed: ${r.stderr.trim()}` };
  return { ok: true };
}

/** A private root (0700) for one run: short, so the socket path stays under 107 bytes. */
function makeRoot(): string {
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tpfi-'));
  mkdirSync(join(root, 'shm'), { mode: 0o700 });
  return root;
}

/** Runs this suite again inside a user + mount namespace with `<root>/shm` a tmpfs of `bytes`. */
function inNamespace(root: string, bytes: number, argv: readonly string[]): Promise<number> {
  const script = 'mount -t tmpfs -o size="$1",mode=0700 tmpfs "$2" && shift 2 && exec "$@"';
  const args = [...UNSHARE, 'sh', '-c', script, 'sh', String(bytes), join(root, 'shm'), process.execPath, ...process.execArgv, RUN_JS, 'faults', '--inside', root, ...argv];
  // stdin is a pipe the inner run watches: if this process dies, the inner one ends the namespace.
  const child = spawn('unshare', args, { stdio: ['pipe', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
}

/** Prints the figures as plain lines. */
export function printFigures(f: Figures, seed: number, namespaced: string): void {
  console.log(`faults: seed=${seed} rounds=${f.rounds} namespace=${namespaced}`);
  console.log(`faults per kind: ${Object.entries(f.faultsPerKind).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`recovery ms: p50=${f.recoveryMs.p50} p99=${f.recoveryMs.p99} max=${f.recoveryMs.max}`);
  for (const [k, v] of Object.entries(f.recoveryMsPerKind)) console.log(`  ${k}: p50=${v.p50} max=${v.max}`);
  console.log(`epochs observed=${f.epochsObserved} driver starts=${f.driverStarts}`);
  console.log(`frames checked=${f.frames} torn delivered=${f.tornFrames} overwritten (noticed by stillValid)=${f.overwrittenNoticed}`);
  console.log(`violations=${f.violations.length}`);
  for (const v of f.violations.slice(0, 20)) console.log(`  VIOLATION ${v}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      rounds: { type: 'string', default: '100' },
      seed: { type: 'string' },
      kinds: { type: 'string' },
      json: { type: 'string' },
      'tmpfs-mib': { type: 'string', default: '64' },
      'no-namespace': { type: 'boolean', default: false },
      each: { type: 'boolean', default: false },
      'no-cli-probe': { type: 'boolean', default: false },
      inside: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const rounds = Number(values.rounds);
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  const kinds = (values.kinds?.split(',') ?? [...FAULT_KINDS]) as FaultKind[];
  const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k));
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(seed) || unknown.length > 0) {
    console.error(`faults: bad --rounds, --seed or --kinds ${unknown.join(',')}\n${HELP}`);
    return 2;
  }
  const inside = values.inside;
  if (inside === undefined) {
    const ns = values['no-namespace'] ? { ok: false as const, reason: '--no-namespace' } : namespaceSupport();
    if (ns.ok) {
      const root = makeRoot();
      try {
        return await inNamespace(root, Number(values['tmpfs-mib']) << 20, argv);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    console.log(`faults: no small filesystem (${ns.reason}): disk-full rounds are skipped`);
  }
  const namespaced = inside === undefined ? 'none' : `tmpfs ${values['tmpfs-mib']} MiB in a user namespace`;
  console.log(`faults: seed=${seed} rounds=${rounds} namespace=${namespaced} (reproduce: npm run reliability -- faults --rounds ${rounds} --seed ${seed})`);
  const root = inside ?? makeRoot();
  const random = seededRandom(seed);
  let rig: FaultRig;
  try {
    rig = await FaultRig.start({ root, smallFs: inside !== undefined, cliProbes: !values['no-cli-probe'] });
  } catch (e) {
    if (inside === undefined) rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const run = new FaultRun(rig, random);
  if (inside !== undefined) {
    // The outer run is gone (its end of our stdin closed): stop, which ends the namespace.
    process.stdin.once('end', () => {
      rig.close();
      process.exit(1);
    });
    process.stdin.resume();
  }
  const started = performance.now();
  try {
    for (let n = 1; n <= rounds; n++) {
      const kind = kinds[values.each ? (n - 1) % kinds.length : Math.floor(random() * kinds.length)] as FaultKind;
      try {
        const r = await run.round(n, kind);
        console.log(`round ${n} ${kind} @ ${r.point}: recovered in ${r.recoveryMs} ms; ${r.outcome}${r.violations.length > 0 ? ` VIOLATIONS ${r.violations.join(' | ')}` : ''}`);
      } catch (e) {
        // A fault the system did not recover from within the bound: report it and stop (the rig
        // is in an unknown state, later rounds would only measure that).
        run.violations.push(`round ${n} ${kind}: ${(e as Error).message}`);
        console.log(`round ${n} ${kind}: FAILED ${(e as Error).message}`);
        break;
      }
    }
    run.scan();
  } finally {
    rig.close();
    if (inside === undefined) rmSync(root, { recursive: true, force: true });
  }
  const f = figures(run);
  printFigures(f, seed, namespaced);
  console.log(`wall clock ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), seed, namespace: namespaced, figures: f, rounds: run.results }, null, 2)}\n`);
  }
  return f.violations.length === 0 ? 0 : 1;
}
