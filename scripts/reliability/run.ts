/**
 * `npm run reliability -- <suite> [suite options]`: the long-running reliability programs of
 * docs/RELIABILITY.md (control-plane fuzzing, fault injection, load and soak). Each suite is a
 * bounded program that prints its figures and exits non-zero when an invariant was violated; the
 * short versions of the same checks run in `npm test` (test/reliability).
 */
type Suite = (argv: readonly string[]) => Promise<number>;

/** Suite name → module beside this file exporting `main(argv): Promise<exit code>`. */
const suites: Record<string, string> = {
  fuzz: './fuzz-control.js',
  faults: './fault-injection.js',
  soak: './soak.js',
};

function usage(): string {
  return `usage: npm run reliability -- <${Object.keys(suites).join('|')}> [options]   (each suite takes --help)`;
}

async function run(argv: readonly string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const modulePath = suites[name];
  if (modulePath === undefined) {
    console.error(`unknown reliability suite '${name}'\n${usage()}`);
    return 2;
  }
  // A specifier from the table (not a literal import) so that suites stay independent modules.
  const suite = (await import(modulePath)) as { main: Suite };
  return suite.main(argv.slice(1));
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
