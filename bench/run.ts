/**
 * `npm run bench -- [suite ...] [--json FILE]`: runs the named benchmark suites (all when none
 * are named). Each suite compares against a baseline measured in the same process run.
 */
import { writeFileSync } from 'node:fs';

export interface SuiteResult {
  readonly suite: string;
  readonly results: unknown;
}

type Suite = () => Promise<SuiteResult>;

const suites: Record<string, () => Promise<Suite>> = {
  hsm: async () => (await import('./hsm/hsm-bench.js')).run,
  sbe: async () => (await import('./sbe/sbe-bench.js')).run,
  driver: async () => (await import('./driver/driver-bench.js')).run,
  control: async () => (await import('./control/control-bench.js')).run,
  data: async () => (await import('./data/data-bench.js')).run,
};

function usage(): string {
  return `usage: npm run bench -- [${Object.keys(suites).join('|')} ...] [--json FILE]`;
}

async function main(argv: readonly string[]): Promise<void> {
  const names: string[] = [];
  let jsonPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') {
      jsonPath = argv[++i];
      if (jsonPath === undefined) throw new Error(`--json needs a file path\n${usage()}`);
    } else if (a === '--help' || a === '-h') {
      console.log(usage());
      return;
    } else if (a in suites) {
      names.push(a);
    } else {
      throw new Error(`unknown benchmark suite '${a}'\n${usage()}`);
    }
  }
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    console.warn('warning: run with --expose-gc (npm run bench does) for exact allocation figures');
  }
  const results: SuiteResult[] = [];
  for (const name of names.length > 0 ? names : Object.keys(suites)) {
    const load = suites[name];
    if (load === undefined) continue;
    const suite = await load();
    results.push(await suite());
  }
  if (jsonPath !== undefined) {
    writeFileSync(jsonPath, JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
    console.log(`wrote ${jsonPath}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
