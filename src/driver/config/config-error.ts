/**
 * Configuration errors (CONFIG.md §7: fail fast at startup). Every error names the dotted key,
 * the offending value and the source it came from, so a typo in an env var is never mistaken for
 * a typo in the file.
 */
import { TensorpoolError } from '../../errors.js';

/** Where a configuration value came from (CONFIG.md §1, highest precedence first). */
export type ConfigSource =
  | { readonly kind: 'override'; readonly key: string }
  | { readonly kind: 'env'; readonly name: string; readonly aliasOf?: string }
  | { readonly kind: 'toml'; readonly origin: string }
  | { readonly kind: 'default' }
  | { readonly kind: 'derived'; readonly from: string };

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'override':
      return `override "${source.key}"`;
    case 'env':
      return source.aliasOf === undefined
        ? `env ${source.name}`
        : `env ${source.name} (legacy alias of ${source.aliasOf})`;
    case 'toml':
      return source.origin;
    case 'default':
      return 'the default';
    case 'derived':
      return `the default derived from ${source.from}`;
  }
}

/**
 * Longest rendering of a value echoed in a message. An error line must stay one readable line
 * whatever was passed (a 100 kB `--set shm.namespace=…` must not come back as a 100 kB error).
 */
export const MAX_ECHOED_VALUE = 200;

/** Renders a raw or resolved value for a message: strings quoted, bigints plain, tables as JSON; cut to MAX_ECHOED_VALUE. */
export function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString(10);
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(10) : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length <= MAX_ECHOED_VALUE ? text : `${text.slice(0, MAX_ECHOED_VALUE)}… (${text.length} characters in all)`;
}

export class ConfigError extends TensorpoolError {
  /** The dotted key (`policies.announce_period_ms`), or null for document-level errors (syntax, unreadable file). */
  readonly key: string | null;
  readonly value: unknown;
  readonly source: ConfigSource | null;

  constructor(
    key: string | null,
    problem: string,
    got?: { readonly value: unknown; readonly source: ConfigSource },
    options?: { cause?: unknown },
  ) {
    const where = got === undefined ? '' : ` (got ${formatValue(got.value)} from ${describeSource(got.source)})`;
    super('TP_ERR_CONFIG', `${key ?? 'config'}: ${problem}${where}`, options);
    this.key = key;
    this.value = got?.value;
    this.source = got?.source ?? null;
  }
}

/** Thrown by the value parsers with the bare problem ("must be …"); the loader adds key and source. */
export class ValueProblem extends Error {}
