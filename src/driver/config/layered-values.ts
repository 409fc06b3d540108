/**
 * CONFIG.md §1 precedence for one `[driver]`/`[shm]`/`[policies]` key: programmatic override >
 * env var > legacy env alias > TOML > default. Records where each resolved value came from so
 * later cross-key checks (V8, V9, V15, …) can name the source of a bad value.
 */
import { ConfigError, ValueProblem, type ConfigSource } from './config-error.js';
import { LEGACY_ENV_ALIASES, TOML_ONLY_KEYS, envName, type Section, type SectionKey } from './config-keys.js';
import type { ValueForm } from './parse-value.js';

export interface RawValue {
  readonly value: unknown;
  readonly form: ValueForm;
  readonly source: ConfigSource;
}

export type Parser<T> = (value: unknown, form: ValueForm) => T;

export interface Layers {
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  readonly toml: Readonly<Partial<Record<Section, Readonly<Record<string, unknown>>>>>;
  readonly tomlSource: ConfigSource;
}

export class LayeredValues {
  private readonly sources = new Map<string, RawValue>();

  constructor(private readonly layers: Layers) {}

  /** The highest-precedence value set for `key`, or undefined when only a default applies. */
  raw(key: SectionKey): RawValue | undefined {
    const { overrides, env, toml, tomlSource } = this.layers;
    const override = Object.hasOwn(overrides, key) ? overrides[key] : undefined;
    // A string override is converted like the RI's env injection; other JS values are typed.
    if (override !== undefined) {
      return { value: override, form: typeof override === 'string' ? 'text' : 'js', source: { kind: 'override', key } };
    }
    const name = envName(key);
    const fromEnv = TOML_ONLY_KEYS.has(key) ? undefined : env[name];
    if (fromEnv !== undefined) return { value: fromEnv, form: 'text', source: { kind: 'env', name } };
    const alias = LEGACY_ENV_ALIASES[key];
    const fromAlias = alias === undefined ? undefined : env[alias];
    if (alias !== undefined && fromAlias !== undefined) {
      return { value: fromAlias, form: 'text', source: { kind: 'env', name: alias, aliasOf: name } };
    }
    const dot = key.indexOf('.');
    const table = toml[key.slice(0, dot) as Section];
    const fromToml = table === undefined ? undefined : table[key.slice(dot + 1)];
    if (fromToml !== undefined) return { value: fromToml, form: 'toml', source: tomlSource };
    return undefined;
  }

  /**
   * Resolves `key`; `fallback` (a per-key or derived default, as a JS value) goes through the
   * same parser, so a derived default that breaks a rule fails like any other value.
   */
  get<T>(key: SectionKey, parse: Parser<T>, fallback: unknown, fallbackSource: ConfigSource = { kind: 'default' }): T {
    const raw = this.raw(key) ?? { value: fallback, form: 'js', source: fallbackSource };
    this.sources.set(key, raw);
    try {
      return parse(raw.value, raw.form);
    } catch (e) {
      if (e instanceof ValueProblem) throw new ConfigError(key, e.message, raw, { cause: e });
      throw e;
    }
  }

  /** A ConfigError for a resolved key, naming the value and the source it was resolved from. */
  error(key: SectionKey, problem: string, value?: unknown): ConfigError {
    const raw = this.sources.get(key);
    const source = raw?.source ?? { kind: 'default' };
    return new ConfigError(key, problem, { value: value === undefined ? raw?.value : value, source });
  }
}
